"""Jobs and results: the title leads the article; stage metadata adds up."""

from __future__ import annotations

import dataclasses

import pytest

from precis_models.batching import Generated
from precis_news.pipeline.jobs import DEFAULT_LENGTH, Metadata, SummarizeJob


def test_a_job_without_title_summarizes_its_text() -> None:
    job = SummarizeJob(text="Body.")
    assert job.article == "Body."
    assert job.length == DEFAULT_LENGTH == "medium"


@pytest.mark.parametrize(
    ("title", "article"),
    [
        ("Council votes", "Council votes.\n\nBody."),
        ("  Council votes?  ", "Council votes?\n\nBody."),
        ("Council votes…", "Council votes…\n\nBody."),
        ("   ", "Body."),
    ],
)
def test_the_title_is_the_first_sentence(title: str, article: str) -> None:
    assert SummarizeJob(text="Body.", title=title).article == article


def test_jobs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SummarizeJob(text="a").text = "b"  # type: ignore[misc]


def test_metadata_adds_each_stage_times_and_cache_hits() -> None:
    total = Metadata()
    stage = Generated(outputs=[], queue_ms=2.0, inference_ms=5.0, cache_hits=1)
    total.add(stage)
    total.add(stage)
    assert (total.queue_ms, total.inference_ms, total.cache_hits) == (4.0, 10.0, 2)


def test_a_translation_stage_also_counts_its_cut_sentences() -> None:
    total = Metadata(cut_translations=1)
    total.add_translation(
        Metadata(queue_ms=1.0, inference_ms=3.0, cache_hits=2, cut_translations=2)
    )
    assert (total.queue_ms, total.inference_ms, total.cache_hits) == (1.0, 3.0, 2)
    assert total.cut_translations == 3
    assert total.chunks == 0  # what a stage does not report is left alone
