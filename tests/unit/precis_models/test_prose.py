"""Captions, credits and bylines told from prose in the four served languages; what a summary may
pick; sentences joined as prose (issue 23 item 7's named cases)."""

from __future__ import annotations

import pytest

from precis_models.prose import is_caption, is_credit, join_sentences, pickable, select_prose

FURNITURE = [
    "Credit: AP",
    "Credit Ashraf Shazly/Agence France-Presse — Getty Images",  # NYT: no colon
    "Photo: John Smith/Reuters",
    "Photo by Jane Roe/Getty Images",
    "Sky's Rachel Younger reports from Moscow",
    "Rachel Younger explains",
    "By Jane Doe",
    "By JANE DOE and John Roe, Reuters",
    "Image caption Mr Macron met Mr Putin in the Kremlin",
    "Image copyright Getty Images",
    "Getty Images",
    "AFP/Getty Images",
    "(Reuters)",
    "(Thomas Coex/AFP/Getty Images)",
    "Source: Supplied",
    "Photo",
    "Related: Chicago is America's most segregated city",
    "[Read: Tunisia sends most foreign fighters to Islamic State in Syria]",
    "Read more:",
    "- Advertisement",
    "Lire aussi : Les critiques de la CNIL contre le projet de loi",
    "Crédit : AFP",
    "Par Jean Dupont",
    "Фото: УНІАН",
    "Читайте також: Уряд ухвалив бюджет",
    "Фото — ТАСС",
    "Источник: РИА Новости",
    "Смотрите также: Правительство приняло бюджет",
]
PROSE = [
    "By the end of the year, prices had doubled.",
    "Credit Suisse shares fell 5 percent on Monday.",
    "Sources said the dress was stolen from her room.",
    "More than 200 people died in the flood.",
    "The BBC reports that the talks failed.",
    "Reuters reported the deal on Monday.",
    "Photographs of the flood were shared widely.",
    "Par ailleurs, le gouvernement a annoncé un plan.",
    "Фотографії з місця події поширили в мережі.",
    "Автор законопроєкту заявив, що його ухвалять восени.",
    "Источники сообщают, что переговоры продолжатся.",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_captions_credits_and_bylines_are_told_apart(line: str) -> None:
    assert is_caption(line)


@pytest.mark.parametrize("sentence", PROSE)
def test_prose_that_starts_like_a_credit_is_prose(sentence: str) -> None:
    assert not is_caption(sentence)


def test_credits_are_a_kind_of_caption_line() -> None:
    assert is_credit("(Reuters)") and is_credit("Credit: AP") and is_credit("Фото: УНІАН")
    assert not is_credit("By Jane Doe") and not is_credit("Related: the budget")
    assert not is_credit("Photo") and not is_credit("Advertisement")


def test_a_caption_before_its_credit_or_after_its_label_is_not_picked() -> None:
    sentences = [
        "Israel's prime minister won the election on Tuesday, officials said.",
        "Netanyahu visits the Western Wall in Jerusalem on March 18.",  # a caption ...
        "(Thomas Coex/AFP/Getty Images)",  # ... by its credit
        "Photo",
        "United Nations peacekeepers at a refugee camp in Sudan on Monday.",  # after its label
        "The talks with the Palestinians could be even more difficult, analysts said.",
    ]
    assert pickable(sentences) == [True, False, False, False, False, True]


def test_subheadings_lead_ins_and_fragments_are_not_picked_but_the_headline_is() -> None:
    sentences = [
        "Macron and Putin meet in the Kremlin",  # the headline
        "The two leaders met for five hours on Monday, officials said.",
        "Kenya trip",  # a subheading
        "Advertisement",  # furniture, but no label: the sentence after it is prose
        "The president also said that Kenya had to improve its record on human rights.",
        "In a wide-ranging interview, President Obama also said:",  # a lead-in
        "Figuratively speaking.",  # too short to stand alone
        " ".join(["word"] * 60),  # a piece of an endless sentence, not a line
    ]
    assert pickable(sentences) == [True, True, False, False, True, False, False, True]


def test_selection_leaves_captions_out_unless_there_is_nothing_else() -> None:
    sentences = [
        "Rachel Younger explains",
        "Mr Macron, who met Mr Putin in the Kremlin on Monday, said the talks would go on.",
        "Mr Putin greets Mr Macron at the Kremlin on Monday.",
        "Credit: AP",
        "Both leaders said they wanted to avoid a war in Europe, officials said.",
        "By Jane Doe",
    ]
    lengths = [len(s.split()) for s in sentences]
    assert select_prose(sentences, lengths, budget=100) == [1, 4]
    assert select_prose(["Getty Images", "Credit: AP"], [2, 2], budget=100) == [0, 1]


def test_lines_without_final_punctuation_are_joined_with_a_full_stop() -> None:
    assert join_sentences(
        ["Macron and Putin meet in the Kremlin", "Mr Macron said the talks would go on."]
    ) == ("Macron and Putin meet in the Kremlin. Mr Macron said the talks would go on.")
    assert join_sentences(["- First item", "• Second item,", "Done!"]) == (
        "First item. Second item. Done!"
    )
    # Final punctuation inside closing quotes and brackets is kept as it is.
    assert join_sentences(['He said "no."', "Il a voté. »", "(See the vote.)"]) == (
        'He said "no." Il a voté. » (See the vote.)'
    )
    assert join_sentences(["", " - ", "Fin"]) == "Fin."
