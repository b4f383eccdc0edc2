"""Sentence boundaries on the hard cases: abbreviations, initials, quotes, lists, line breaks."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from precis_models.sentences import end_on_sentence, split_sentences

_CASES = tomllib.loads(
    (Path(__file__).parents[3] / "bench" / "data" / "sentence_cases.toml").read_text("utf-8")
)["case"]


@pytest.mark.parametrize(
    "case", [c for c in _CASES if not c.get("ambiguous")], ids=lambda c: c["gold"][0][:30]
)
def test_every_unambiguous_bench_case_splits_as_its_gold(case: dict) -> None:  # type: ignore[type-arg]
    text = case.get("join", " ").join(case["gold"])
    assert split_sentences(text) == [" ".join(s.split()) for s in case["gold"]]


@pytest.mark.parametrize("case", [c for c in _CASES if c.get("ambiguous")])
def test_an_ambiguous_abbreviation_before_a_capital_does_not_split(case: dict) -> None:  # type: ignore[type-arg]
    # "U.S. President", "5 p.m. Monday": a false split would cut a name or a date in two.
    assert split_sentences(" ".join(case["gold"])) == [" ".join(case["gold"])]


def test_a_single_line_break_ends_a_headline_and_list_items() -> None:
    text = "Storm hits the coast\nPower is out.\n• Schools shut\n2) Roads closed"
    assert split_sentences(text) == [
        "Storm hits the coast",
        "Power is out.",
        "• Schools shut",
        "2) Roads closed",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The mayor said on Monday that the\ncouncil would meet. It did.",  # lower case next
        "The mayor, Ann Lee,\nWest Side, said so. It did.",  # a comma before the break
        "The mayor said on Monday that\n\u00abthe council\u00bb would meet. It did.",
    ],
)
def test_a_hard_wrapped_paragraph_splits_only_at_sentence_ends(text: str) -> None:
    assert split_sentences(text) == [" ".join(text.split()[:-2]), "It did."]


def test_list_items_of_a_hard_wrapped_paragraph_still_start_sentences() -> None:
    text = "Officials said the causes\nwere:\n- rain that fell\nall night\n- blocked drains"
    assert split_sentences(text) == [
        "Officials said the causes were:",
        "- rain that fell all night",
        "- blocked drains",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        " \u200b\n\ufeff ",
        "\r\n\r\n-\r\n1.\r\n",
        "a.\nb.\nc." * 20_000,  # 60,000 lines of initials
        "Word " * 50_000 + "\n" + "word, " * 50_000,  # one long hard-wrapped paragraph
        "Mr. " * 30_000,
    ],
    ids=["empty", "newlines", "invisible", "crlf-markers", "many-lines", "long-lines", "titles"],
)
def test_hostile_text_loses_no_word(text: str) -> None:
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert " ".join(sentences).split() == text.split()


def test_end_on_sentence_knows_initials_and_closing_abbreviations() -> None:
    assert end_on_sentence("Selon J.-P. Morel, la ville a payé. Le maire a dit que J.-P.") == (
        "Selon J.-P. Morel, la ville a payé."
    )
    assert end_on_sentence("Il a acheté du pain, etc. Puis il") == "Il a acheté du pain, etc."
    assert end_on_sentence("Он уехал, т. е. сбежал. Потом т. е.") == "Он уехал, т. е. сбежал."


def test_extracted_paragraphs_stay_one_per_line_beside_a_code_listing() -> None:
    # Extracted HTML gives one paragraph per line; a code line starting in lower case must not
    # make its lines read as hard-wrapped prose (Readability's ars-1 page).
    paragraph = (
        "The vulnerability stems from the fact that the client may send the server data about "
        "certain slots, and the server reads all of it before it checks how deeply it is nested, "
        "so a few kilobytes of nested lists keep it busy until it crashes."
    )
    text = "\n".join(["Proof of concept", paragraph, "rekt: {", "Mojang fixed the bug in 1.8.4"])
    assert split_sentences(text) == [
        "Proof of concept",
        paragraph,
        "rekt: {",
        "Mojang fixed the bug in 1.8.4",
    ]
