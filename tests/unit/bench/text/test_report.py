"""bench.text's thresholds table and what it says of a figure that misses one."""

from __future__ import annotations

import pytest

from bench.text import report


def test_a_figure_is_bounded_by_its_longest_prefix() -> None:
    assert (
        report.threshold("names.sentences.en-uk.ntrex-held") is report.THRESHOLDS["names.sentences"]
    )
    with pytest.raises(KeyError):
        report.threshold("nothing.bounds.this")


def test_an_unmet_figure_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    figures = report.Figures()
    figures.bound("names.sentences.en-uk.ntrex-held", 0.042)
    figures.bound("names.caught.en-uk", 1.0)
    assert figures.unmet() == ["names.sentences.en-uk.ntrex-held"]
    assert "NOT MET" in capsys.readouterr().out
    assert "dropped, replaced by a pronoun or added" in figures.why(figures.unmet()[0])


def test_what_the_run_measured_comes_first() -> None:
    figures = report.Figures()
    figures.bound("sentences.f1.en.held", 0.94)
    figures.explain("sentences.f1.en.held", "the best library on the same paragraphs: x 0.944")
    why = figures.why("sentences.f1.en.held")
    assert why.startswith("the best library on the same paragraphs: x 0.944; GUM ends")


def test_a_figure_with_no_known_reason_says_so() -> None:
    figures = report.Figures()
    figures.bound("html.titles_vs_trafilatura.held", -1)
    assert figures.why("html.titles_vs_trafilatura.held") == "reason not known"
