"""Sentence boundaries on the hard cases: abbreviations, initials, quotes, lists, line breaks."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from precis_models.sentences import end_on_sentence, split_sentences

_CASES = tomllib.loads(
    (Path(__file__).parents[3] / "bench" / "data" / "sentence_cases.toml").read_text("utf-8")
)["case"]


@pytest.mark.parametrize("case", _CASES, ids=lambda c: c["gold"][0][:30])
def test_every_bench_case_splits_as_its_gold(case: dict) -> None:  # type: ignore[type-arg]
    text = case.get("join", " ").join(case["gold"])
    assert split_sentences(text) == [" ".join(s.split()) for s in case["gold"]]


@pytest.mark.parametrize(
    "text",
    [
        "He met the U.S. President on Monday.",
        "The vote is at 5 p.m. Monday in the hall.",
        "The vote is at 5 p.m. EST in the hall.",
        "Shares of Acme Inc. The Times reported rose.",  # a starter before a capital: a name
        "Reporters asked Mr. He Jiankui about it.",
    ],
)
def test_an_abbreviation_before_a_name_or_date_does_not_split(text: str) -> None:
    # A false split would cut a name or a date in two.
    assert split_sentences(text) == [text]


# Issue 23's failures on the Pragmatic Segmenter's Golden Rules (bench/data/vendor/golden_rules).
@pytest.mark.parametrize(
    ("text", "gold"),
    [
        (
            "At 5 a.m. Mr. Smith went to the bank. He left the bank at 6 P.M. Mr. Smith then "
            "went to the store.",
            [
                "At 5 a.m. Mr. Smith went to the bank.",
                "He left the bank at 6 P.M.",
                "Mr. Smith then went to the store.",
            ],
        ),
        ("I live in the U.S. How about you?", ["I live in the U.S.", "How about you?"]),
        (
            "Let's ask Jane and co. They should know.",
            ["Let's ask Jane and co.", "They should know."],
        ),
        (
            "We make a good team, you and I. Did you see Albert I. Jones yesterday?",
            ["We make a good team, you and I.", "Did you see Albert I. Jones yesterday?"],
        ),
        ("Her height is 5 ft. 6 in. tall.", ["Her height is 5 ft. 6 in. tall."]),
        ("I can see Mt. Fuji from here.", ["I can see Mt. Fuji from here."]),
        (
            "You can find it at N°. 1026.253.553. That is where the treasure is.",
            ["You can find it at N°. 1026.253.553.", "That is where the treasure is."],
        ),
        (
            '"Bohr [...] used the analogy of parallel stairways [...]" (Smith 55).',
            ['"Bohr [...] used the analogy of parallel stairways [...]" (Smith 55).'],
        ),
        (
            "I wasn’t really ... well, the thing is . . . I didn’t mean it.",
            ["I wasn’t really ... well, the thing is . . . I didn’t mean it."],
        ),
    ],
)
def test_golden_rule_failures_of_issue_23_split_right(text: str, gold: list[str]) -> None:
    assert split_sentences(text) == gold


@pytest.mark.parametrize(
    "text",
    [
        "1. The first item 2. The second item",
        "1. The first item. 2. The second item.",
        "1.) The first item 2.) The second item",
        "1) The first item 2) The second item",
        "• 9. The first item • 10. The second item",
        "⁃9. The first item ⁃10. The second item",
        "a. The first item b. The second item",
        "Two causes: 1. Heavy rain 2. Blocked drains",
    ],
)
def test_an_inline_numbered_list_splits_before_each_marker_only(text: str) -> None:
    first, second = split_sentences(text)
    assert second.lstrip("•⁃ ")[:2] in ("2.", "2)", "10", "b.")
    assert first + " " + second == text


def test_a_list_inside_a_sentence_and_a_lone_number_keep_their_old_cuts() -> None:
    # Items closed by ";" are one sentence (UD's legal text), and so is "1." before a paragraph.
    text = "Відділу слід: 1) подати наказ; 2) довести його до відома."
    assert split_sentences(text) == [text]
    assert split_sentences("1. Прийняти проект за основу.") == ["1.", "Прийняти проект за основу."]


@pytest.mark.parametrize(
    "text",
    [
        "Див. стор. 12 журн. Вісник за 2020 р.",
        "Зустріч о 10 год. 30 хв. у залі.",
        "Він чл. Спілки письменників з 1990 р.",
        "Це 2-ге вид. 1998 року.",
        "Я мешкаю на вул. Свободи 12, кв. 5 у Києві.",
        "Кв. 234 находится на 4 этаже.",
        "Едем в сторону пгт. Брагиновка.",
        "Площадь комнаты 14 кв.м. и больше.",
    ],
)
def test_ukrainian_and_russian_abbreviations_do_not_split(text: str) -> None:
    assert split_sentences(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Це рідкісний вид. Його знайшли в Карпатах.",  # no number before it
        "Бюджет принят на 2015 год. Документ подписан.",  # Russian "год" (year), not "год."
        "The rain came to 5 in. The river rose.",  # no number after it
    ],
)
def test_a_counted_abbreviation_is_a_word_unless_numbers_stand_either_side(text: str) -> None:
    assert len(split_sentences(text)) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ('He said "Stop."', "Then he left."),
        ("He said “Stop.”", "Then he left."),
        ("He said, 'It is over.'", "The crowd cheered."),
        ("Він сказав: «Ні».", "Потім пішов."),
        ("Il a dit : « Non. »", "Puis il est parti."),
        ('It was "great."', '"Really?" she asked.'),
    ],
)
def test_a_closing_quote_stays_with_its_sentence(first: str, second: str) -> None:
    assert split_sentences(f"{first} {second}") == [first, second]


@pytest.mark.parametrize(
    ("text", "gold"),
    [
        (
            "It was premiered in Prague in 1880.[2] It was performed in London.",
            ["It was premiered in Prague in 1880.[2]", "It was performed in London."],
        ),
        (
            "Bias has been the focus of research. [1 - 3] Sociologists have explored it.[4, 5]",
            [
                "Bias has been the focus of research. [1 - 3]",
                "Sociologists have explored it.[4, 5]",
            ],
        ),
        ("It grew in 2019.[3][4] Сьогодні теж.", ["It grew in 2019.[3][4]", "Сьогодні теж."]),
        (
            "See Gibbons et al. [4]. The study goes on.",
            ["See Gibbons et al. [4].", "The study goes on."],
        ),
        ("He met the U.S.[3] President on Monday.", ["He met the U.S.[3] President on Monday."]),
    ],
)
def test_a_reference_marker_stays_with_the_sentence_it_follows(text: str, gold: list[str]) -> None:
    # Web and Wikipedia text (UD English GUM's held-out documents, bench/text/README.md): no
    # sentence starts with a marker, and one after an abbreviation is read past.
    assert split_sentences(text) == gold


def test_a_quote_goes_on_after_its_speaker() -> None:
    text = "«К чему ты готовишься? – спросила мама. – Завтра ведь выходной»."
    assert split_sentences(text) == [text]


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
