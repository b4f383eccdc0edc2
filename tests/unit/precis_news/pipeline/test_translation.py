"""Translation by sentences: length bounds, long sentences split not cut, target tokens counted,
texts with nothing to translate, cuts counted."""

from __future__ import annotations

from precis_news.pipeline.translation import Translator, prefix_tokens, translation_lengths
from precis_news.settings import Settings
from tests.unit.precis_news.pipeline.stand_ins import engine, model_set, serving


def test_translation_lengths_bucket_the_longest_sentence() -> None:
    settings = Settings(translation_length_ratio=1.5)
    # ceil(20 * 1.5) + 8 = 38 -> bucket 48; no minimum.
    assert translation_lengths([5, 20, 12], settings, cap=512) == [(0, 48)] * 3
    assert translation_lengths([5, 20, 12], settings, cap=40) == [(0, 40)] * 3
    assert translation_lengths([1], settings, cap=512) == [(0, 16)]  # ceil(1.5) + 8 -> 16


def test_fixed_translation_lengths_follow_each_sentence() -> None:
    fixed = Settings(translation_length_ratio=1.5, translation_fixed_length=True)
    # 5 -> 16, 20 -> 48, 12 -> ceil(18) + 8 = 26 -> 32: each sentence decodes its own length.
    assert translation_lengths([5, 20, 12], fixed, cap=512) == [(16, 16), (48, 48), (32, 32)]
    assert translation_lengths([5, 20], fixed, cap=40) == [(16, 16), (40, 40)]


async def test_fixed_lengths_decode_each_sentence_to_its_own_bound() -> None:
    models = model_set()
    short, long = "Un deux.", " ".join(["mot"] * 25) + "."
    async with serving(
        models, translation_length_ratio=1.0, translation_fixed_length=True
    ) as pipeline:
        result = await Translator(models, pipeline.settings).sentences(
            [[short, long], ["Trois quatre."]], "fr", "en"
        )
    # One call per bound (16 and 32 tokens), outputs back in their texts and order.
    calls = engine(models, "fr-en").calls
    assert sorted(len(call) for call in calls) == [1, 2]
    assert result.texts == [f"[fr-en] {short} [fr-en] {long}", "[fr-en] Trois quatre."]
    assert result.truncated == [False, False]


def test_the_target_token_is_counted_as_prefix() -> None:
    models = model_set()
    direct, zle = models.route("en", "fr"), models.route("en", "uk")
    assert direct and zle
    assert (prefix_tokens(direct[0]), prefix_tokens(zle[0])) == (0, 1)


async def test_a_sentence_longer_than_the_translator_reads_is_split_not_cut() -> None:
    words = [f"w{i}" for i in range(100)]
    models = model_set()
    async with serving(models) as pipeline:
        result = await Translator(models, pipeline.settings).texts([" ".join(words)], "en", "uk")
    inputs = [text for call in engine(models, "en-zle").calls for text in call]
    assert len(inputs) == 4 and all(len(t.split()) <= 32 for t in inputs)  # 31 words + >>ukr<<
    assert result.texts[0].replace("[en-zle] ", "").split() == words  # nothing lost
    assert result.truncated == [False] and result.metadata.cut_translations == 0


async def test_a_text_with_no_sentence_translates_to_nothing() -> None:
    models = model_set()
    async with serving(models) as pipeline:
        result = await Translator(models, pipeline.settings).texts(["\u200b", "Hi."], "en", "fr")
    assert result.texts == ["", "[en-fr] Hi."]
    assert (result.model, result.pivot) == ("en-fr", "")


async def test_cut_sentences_are_counted_per_text_and_in_metadata() -> None:
    models = model_set()
    long = " ".join(["mot"] * 30) + "."
    async with serving(models, translation_length_ratio=0.1) as pipeline:
        result = await Translator(models, pipeline.settings).sentences(
            [["Court.", long, long], ["Court."]], "fr", "en"
        )
    assert result.truncated == [True, False]
    assert result.metadata.cut_translations == 2
