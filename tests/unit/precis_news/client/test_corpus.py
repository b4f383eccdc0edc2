"""The summarize-many corpus reader, the output ledger and the last line (no server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from precis_news.client.corpus import (
    Article,
    BatchInputError,
    CorpusResult,
    json_line,
    load_output,
    read_articles,
)


def test_reads_a_folder_of_txt_and_a_jsonl(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "b.txt").write_text("Second.", encoding="utf-8")
    (folder / "a.txt").write_text("First.", encoding="utf-8")
    assert [(a.id, a.read()) for a in read_articles(folder)] == [("a", "First."), ("b", "Second.")]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": 7, "text": "Body.", "title": "Head"}\n\n{"id": "x", "text": ""}\n')
    assert [(a.id, a.read(), a.title) for a in read_articles(jsonl)] == [
        ("7", "Body.", "Head"),
        ("x", "", ""),
    ]


def test_a_folder_is_read_at_any_depth_whatever_the_case_of_extensions(tmp_path: Path) -> None:
    (tmp_path / "2024" / "may").mkdir(parents=True)
    (tmp_path / "a.TXT").write_text("A.", encoding="utf-8")
    (tmp_path / "2024" / "b.md").write_text("B.", encoding="utf-8")
    (tmp_path / "2024" / "may" / "c.Html").write_text("<p>C.</p>", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "folder.txt").mkdir()  # a folder named like an article is not one
    articles = read_articles(tmp_path)
    assert [(a.id, a.html, a.read()) for a in articles] == [
        ("2024/b", False, "B."),
        ("2024/may/c", True, "<p>C.</p>"),
        ("a", False, "A."),
    ]


def test_two_files_with_one_id_record_the_second_as_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    (tmp_path / "a.md").write_text("A again.", encoding="utf-8")
    first, second = read_articles(tmp_path)
    assert (first.id, first.problem) == ("a", None)
    assert (second.id, second.problem) == ("a.txt", "a.txt: id 'a' appears more than once")


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda path: path.mkdir(), id="empty folder"),
        pytest.param(
            lambda path: (path.mkdir(), (path / "sub").mkdir(), (path / "x.pdf").write_bytes(b"")),
            id="no article files",
        ),
        pytest.param(lambda path: path.write_text("\n\n"), id="empty jsonl"),
    ],
)
def test_an_input_with_nothing_to_summarize_is_refused(tmp_path: Path, make: object) -> None:
    source = tmp_path / "in"
    make(source)  # type: ignore[operator]
    with pytest.raises(BatchInputError, match=r"no \.txt, \.md, \.html, \.htm files|no articles"):
        read_articles(source)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{not json", "in.jsonl:2: not JSON (Expecting property name enclosed in double quotes)"),
        (b"[1, 2]", "in.jsonl:2: expected an object with id and text"),
        (b'{"text": "t"}', "in.jsonl:2: id must be a string or an integer"),
        (b'{"id": true, "text": "t"}', "in.jsonl:2: id must be a string or an integer"),
        (b'{"id": "b"}', "in.jsonl:2: text must be a string"),
        (b'{"id": "b", "text": "t", "title": 3}', "in.jsonl:2: title must be a string"),
        (b'{"id": "a", "text": "again"}', "in.jsonl:2: id 'a' appears more than once"),
        (b'{"id": "b", "text": "\xff"}', "in.jsonl:2: not UTF-8 (invalid start byte at byte 21)"),
    ],
)
def test_a_malformed_line_is_an_article_with_its_problem(
    tmp_path: Path, line: bytes, message: str
) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes(b'{"id": "a", "text": "t"}\n' + line + b'\n{"id": "c", "text": "t"}\n')
    first, bad, last = read_articles(jsonl)
    assert (first.id, first.problem, last.id, last.problem) == ("a", None, "c", None)
    assert bad == Article(id="in.jsonl:2", problem=message, origin="in.jsonl:2")


def test_a_lone_surrogate_is_read_and_written_as_valid_json(tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": "\\ud800", "text": "x\\udfff"}\n', encoding="ascii")
    [article] = read_articles(jsonl)
    assert (article.id, article.text) == ("\ud800", "x\udfff")
    line = json_line({"id": article.id, "error": {"code": "X", "message": "é"}})
    assert line == '{"id": "\\ud800", "error": {"code": "X", "message": "\\u00e9"}}\n'
    assert json.loads(line)["id"] == article.id
    assert json_line({"id": "é"}) == '{"id": "é"}\n'  # UTF-8 kept readable otherwise


def test_a_missing_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BatchInputError, match="no such file or folder"):
        read_articles(tmp_path / "absent")


def test_a_folder_article_is_read_when_it_is_sent(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Before.", encoding="utf-8")
    [article] = read_articles(tmp_path)
    assert article == Article(id="a", path=tmp_path / "a.txt", origin="a.txt")
    (tmp_path / "a.txt").write_text("After.", encoding="utf-8")
    assert article.read() == "After."


def test_resume_drops_a_line_cut_by_a_crash(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "summaries": []}\n{"id": "b", "summ')
    assert load_output(out).done == {"a"}
    assert out.read_text() == '{"id": "a", "summaries": []}\n'


def test_a_missing_output_is_empty(tmp_path: Path) -> None:
    assert load_output(tmp_path / "out.jsonl").done == set()


def test_errors_are_dropped_for_a_retry_and_kept_without(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    lines = '{"id": 7, "summaries": []}\n{"id": "b", "error": {"code": "X"}}\n{"id": "c"}\n'
    out.write_text(lines)
    kept = load_output(out, retry_failed=False)
    assert (kept.done, kept.failed, out.read_text()) == ({"7", "b", "c"}, ("b",), lines)
    retried = load_output(out)
    assert (retried.done, retried.failed) == ({"7", "c"}, ())
    assert out.read_text() == '{"id": 7, "summaries": []}\n{"id": "c"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


@pytest.mark.parametrize("line", ["not json", '{"summaries": []}', "[1]"])
def test_an_output_that_is_not_ours_is_refused(tmp_path: Path, line: str) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a"}\n' + line + "\n")
    with pytest.raises(BatchInputError) as info:
        load_output(out)
    assert str(info.value) == f"{out}:2: not a summarize-many result line"


def test_the_last_line_names_the_failures_and_the_retry() -> None:
    out = Path("out.jsonl")
    assert (
        CorpusResult(out, summarized=3, kept=2).report()
        == "3 summarized, 0 failed, 2 already in out.jsonl"
    )
    failed = CorpusResult(out, summarized=1, failed=tuple("abcdefg"))
    assert not failed.ok
    assert failed.report() == (
        "1 summarized, 7 failed, 0 already in out.jsonl; failed: a, b, c, d, e and 2 more; "
        "rerun the same command to retry them"
    )
    kept = CorpusResult(out, kept=2, kept_failed=("x",))
    assert not kept.ok
    assert kept.report() == (
        "0 summarized, 0 failed, 2 already in out.jsonl; 1 of those are errors (x): "
        "rerun without --no-retry to retry them"
    )
