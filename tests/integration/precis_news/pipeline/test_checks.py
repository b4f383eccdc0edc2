"""The checks over a real channel: a live server whose French translator changes a number, whose
summarizer invents one, and sentence sources on request."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from precis_models.engines.base import GenerateOptions, Output
from precis_news.client import PrecisClient
from tests.support import ServerThread

ARTICLE = (
    "Lyon votes a cycling budget.\n\n"
    "The council of Lyon will spend 100,000 euros on new cycle lanes, Mayor Grégory Doucet said "
    "on Monday. Work on the first lanes starts in 2025. Residents asked for safer crossings near "
    "the schools of the old town."
)
_TARGET_TOKEN = re.compile(r">>\w+<<\s*")


class Copier:
    """A stand-in for a served model: it writes its input's first `sentences` sentences back
    (target-language tokens dropped), with each `replace` key replaced by its value; the real
    engine still counts the tokens."""

    def __init__(
        self, inner: object, *, replace: Mapping[str, str] | None = None, sentences: int = 99
    ) -> None:
        self.inner = inner
        self.replace = dict(replace or {})
        self.sentences = sentences
        for name in ("name", "max_input_tokens", "parallelism", "count_tokens"):
            setattr(self, name, getattr(inner, name))

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        return [Output(self._write(t)) for t in texts]

    def _write(self, text: str) -> str:
        kept = re.split(r"(?<=\.)\s+", _TARGET_TOKEN.sub("", text).strip())[: self.sentences]
        out = " ".join(kept)
        for old, new in self.replace.items():
            out = out.replace(old, new)
        return out


@contextmanager
def stand_ins(server: ServerThread, engines: Mapping[str, Mapping[str, object]]) -> Iterator[None]:
    """The named models of the live server served by Copiers for the block."""
    models = server.server.models
    assert models is not None
    saved = {}
    for model in models.models:
        if model.name in engines:
            saved[model.name] = model.replace_engine(Copier(model.engine, **engines[model.name]))  # type: ignore[arg-type]
    try:
        yield
    finally:
        for model in models.models:
            if model.name in saved:
                model.replace_engine(saved[model.name])


def test_a_french_translation_that_changes_a_number_is_reported_in_its_summary(
    server: ServerThread, client: PrecisClient
) -> None:
    engines = {
        "tiny-bart": {"sentences": 2},
        "tiny-marian-en-fr": {"replace": {"100,000": "10 000"}},
        "tiny-marian-en-zle": {},
    }
    with stand_ins(server, engines):
        response = client.summarize(ARTICLE, targets=["en", "fr", "uk"], source_language="en")
    en, fr, uk = response.summaries
    assert "100,000" in en.text and "10 000" in fr.text
    assert [(i.kind, i.number, i.found) for i in fr.number_issues] == [
        ("changed", "100,000", "10 000")
    ]
    assert list(en.number_issues) == list(uk.number_issues) == []
    assert list(fr.missing_names) == list(uk.missing_names) == []
    assert not any(s.sources for s in response.summaries)  # not asked for
    metrics = server.server.metrics.registry
    assert metrics.get_sample_value(
        "precis_summary_checks_flagged_total", {"language": "fr", "check": "changed"}
    )


def test_a_number_absent_from_the_article_is_flagged(
    server: ServerThread, client: PrecisClient
) -> None:
    engines = {"tiny-bart": {"sentences": 3, "replace": {"2025": "2027"}}}
    with stand_ins(server, engines):
        response = client.summarize(
            ARTICLE + " Stand-in two.", targets=["en"], source_language="en"
        )
    [en] = response.summaries
    assert [(i.kind, i.number) for i in en.number_issues] == [("not_in_article", "2027")]


def test_include_sources_returns_the_article_sentences_behind_each_summary_sentence(
    server: ServerThread, client: PrecisClient
) -> None:
    engines = {"tiny-bart": {"sentences": 3}, "tiny-marian-en-fr": {}}
    text = ARTICLE + " Stand-in three."
    with stand_ins(server, engines):
        response = client.summarize(
            text, targets=["en", "fr"], source_language="en", include_sources=True
        )
        streamed = [
            m.summary
            for m in client.stream_summarize(
                text, targets=["en"], source_language="en", include_sources=True
            )
            if m.HasField("summary")
        ]
    en, fr = response.summaries
    assert [s.text for s in en.sources] == [
        "Lyon votes a cycling budget.",
        "The council of Lyon will spend 100,000 euros on new cycle lanes, Mayor Grégory Doucet "
        "said on Monday.",
        "Work on the first lanes starts in 2025.",
    ]
    # Each summary sentence is an article sentence: it is its own best source, scored 1.
    assert [(s.sources[0].index, s.sources[0].score) for s in en.sources] == [
        (0, 1.0),
        (1, 1.0),
        (2, 1.0),
    ]
    assert [s.sources[0].text for s in en.sources] == [s.text for s in en.sources]
    assert [list(s.sources) for s in fr.sources] == [list(s.sources) for s in en.sources]
    assert list(streamed[0].sources) == list(en.sources)
