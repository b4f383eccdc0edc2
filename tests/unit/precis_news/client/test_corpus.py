"""The summarize-many corpus reader: input folders and JSONL, and the resume ledger (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from precis_news.client.corpus import Article, BatchInputError, done_ids, read_articles


def test_reads_a_folder_of_txt_and_a_jsonl(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "b.txt").write_text("Second.", encoding="utf-8")
    (folder / "a.txt").write_text("First.", encoding="utf-8")
    (folder / "notes.md").write_text("not an article", encoding="utf-8")
    assert [(a.id, a.read()) for a in read_articles(folder)] == [("a", "First."), ("b", "Second.")]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": 7, "text": "Body.", "title": "Head"}\n\n{"id": "x", "text": ""}\n')
    assert [(a.id, a.read(), a.title) for a in read_articles(jsonl)] == [
        ("7", "Body.", "Head"),
        ("x", "", ""),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "in.jsonl:2: not JSON (Expecting property name enclosed in double quotes)"),
        ("[1, 2]", "in.jsonl:2: expected an object with id and text"),
        ('{"text": "t"}', "in.jsonl:2: id must be a string or an integer"),
        ('{"id": true, "text": "t"}', "in.jsonl:2: id must be a string or an integer"),
        ('{"id": "b"}', "in.jsonl:2: text must be a string"),
        ('{"id": "b", "text": "t", "title": 3}', "in.jsonl:2: title must be a string"),
        ('{"id": "a", "text": "again"}', "in.jsonl: id 'a' appears twice"),
    ],
)
def test_malformed_input_is_refused_with_its_line(tmp_path: Path, line: str, message: str) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": "a", "text": "t"}\n' + line + "\n")
    with pytest.raises(BatchInputError) as info:
        read_articles(jsonl)
    assert str(info.value) == f"{tmp_path}/{message}"


def test_resume_drops_a_line_cut_by_a_crash(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "summaries": []}\n{"id": "b", "summ')
    assert done_ids(out) == {"a"}
    assert out.read_text() == '{"id": "a", "summaries": []}\n'


def test_a_missing_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BatchInputError, match="no such file or folder"):
        read_articles(tmp_path / "absent")


def test_a_folder_article_is_read_when_it_is_sent(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Before.", encoding="utf-8")
    [article] = read_articles(tmp_path)
    assert article == Article(id="a", path=tmp_path / "a.txt")
    (tmp_path / "a.txt").write_text("After.", encoding="utf-8")
    assert article.read() == "After."


def test_done_ids_of_a_missing_output_is_empty(tmp_path: Path) -> None:
    assert done_ids(tmp_path / "out.jsonl") == set()


def test_done_ids_reads_every_complete_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": 7, "summaries": []}\n{"id": "b", "error": {"code": "X"}}\n')
    assert done_ids(out) == {"7", "b"}
    assert out.read_text().count("\n") == 2  # nothing cut


@pytest.mark.parametrize("line", ["not json", '{"summaries": []}', "[1]"])
def test_done_ids_refuses_an_output_that_is_not_ours(tmp_path: Path, line: str) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a"}\n' + line + "\n")
    with pytest.raises(BatchInputError) as info:
        done_ids(out)
    assert str(info.value) == f"{out}:2: not a summarize-many result line"
