"""How a name is spelled in Latin and Cyrillic script: the skeletons its spellings share."""

from __future__ import annotations

from precis_news.pipeline.spelling import skeleton


def test_spellings_across_scripts_share_a_skeleton() -> None:
    assert skeleton("Kyiv") == skeleton("Київ")
    assert skeleton("Zelensky") == skeleton("Зеленский") == skeleton("Zelenskyy")
    assert skeleton("Dubois") == skeleton("Дюбуа")
