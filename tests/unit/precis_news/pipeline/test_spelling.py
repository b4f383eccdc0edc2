"""How a name is spelled in Latin and Cyrillic script: the skeletons its spellings share."""

from __future__ import annotations

from precis_news.pipeline.spelling import consonant_key, readings, skeleton


def test_spellings_across_scripts_share_a_skeleton() -> None:
    assert skeleton("Kyiv") == skeleton("Київ")
    assert skeleton("Zelensky") == skeleton("Зеленский") == skeleton("Zelenskyy")
    assert skeleton("Dubois") == skeleton("Дюбуа")


def test_names_are_read_by_other_spelling_rules_too() -> None:
    # German and Dutch j as й and ch as х; English voiced th as з, w inside a word as у, oa
    # as оу.
    assert skeleton("Йохемсен") in readings("Jochemsen")
    assert skeleton("Захари") in readings("Zachary")
    assert consonant_key(skeleton("Бразер")) in {consonant_key(r) for r in readings("Brother")}
    assert skeleton("Оук") in readings("Oak")
    assert consonant_key(skeleton("Бразер")) not in {consonant_key(r) for r in readings("Bristol")}
