"""The extractive summary of a TV news article (headline, video captions, paragraphs) reads as
prose: no caption picked, the headline ended with a full stop (issue 23 item 7)."""

from __future__ import annotations

from precis_models.engines.base import GenerateOptions
from precis_models.engines.extractive import ExtractiveEngine

TV_NEWS = "\n".join(
    [
        "Macron and Putin meet in the Kremlin as war fears grow",
        "Sky's Rachel Younger reports from Moscow",
        "Rachel Younger explains",
        "Mr Macron, who met Mr Putin in the Kremlin on Monday, said the talks on Ukraine would "
        "go on for as long as both leaders saw a way to avoid a war.",
        "Mr Putin greets Mr Macron at the Kremlin on Monday.",  # a photo's caption
        "Credit: AP",
        "The Kremlin said Mr Putin and Mr Macron had agreed that the talks on Ukraine were "
        "worth continuing, though it gave no date for the next meeting.",
        "By Jane Doe",
    ]
)


def test_a_tv_news_summary_reads_as_prose_without_captions() -> None:
    (output,) = ExtractiveEngine().generate_outputs([TV_NEWS], GenerateOptions(200))
    assert output.text == (
        "Macron and Putin meet in the Kremlin as war fears grow. "
        "Mr Macron, who met Mr Putin in the Kremlin on Monday, said the talks on Ukraine would "
        "go on for as long as both leaders saw a way to avoid a war. "
        "The Kremlin said Mr Putin and Mr Macron had agreed that the talks on Ukraine were "
        "worth continuing, though it gave no date for the next meeting."
    )
