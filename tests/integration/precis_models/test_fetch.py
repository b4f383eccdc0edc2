"""`precis models fetch` over tiny mirrors of the real Hub repositories: download replaced, the
rest real (file selection, pin check, tokenizer.json, CTranslate2 conversion, serving)."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from precis_models.catalog import ModelSpec, load_catalog
from precis_models.engines.base import GenerateOptions
from precis_models.engines.codec import load_codec
from precis_models.engines.ctranslate2_engine import CTranslate2Engine
from precis_models.engines.transformers_engine import TransformersEngine
from precis_models.fetch import (
    ConversionError,
    FetchError,
    download_snapshot,
    fetch_model,
    fetch_profile,
    serving_files,
)
from precis_models.store import (
    MANIFEST,
    ctranslate2_path,
    is_present,
    read_manifest,
    remove_stale_work,
    require_models,
    staged,
    transformers_path,
)
from tests.hub_repos import HEAVY_EXTRAS, REPOS, pinned_commit, write_repo
from tests.support import ServerThread, article, tiny_settings, tiny_spec

SERVED = ("default", "fast", "quality")
Downloader = Callable[[str, str, Path], str]


def _specs() -> dict[str, ModelSpec]:
    return {s.repo: s for name in SERVED for s in load_catalog().profile(name).models}


@pytest.fixture(scope="module")
def hub(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every repository the served profiles download, mirrored at its pinned commit."""
    root = tmp_path_factory.mktemp("hub")
    for repo in REPOS.values():
        write_repo(repo, root / repo.repo, tiny_spec(repo.tiny_source).directory(model_dir))
    return root


def hub_download(hub: Path, calls: list[tuple[str, str]] | None = None) -> Downloader:
    """Stands in for download_snapshot: the whole repository, resolved to the fixture's commit."""

    def download(repo: str, revision: str, dest: Path) -> str:
        if calls is not None:
            calls.append((repo, revision))
        shutil.copytree(hub / repo, dest)
        return pinned_commit(repo)

    return download


@pytest.fixture(scope="module")
def fetched(hub: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default, fast and quality profiles fetched (float32, to compare engines exactly)."""
    model_dir = tmp_path_factory.mktemp("fetched")
    calls: list[tuple[str, str]] = []
    for name in SERVED:
        fetch_profile(
            load_catalog().profile(name),
            model_dir,
            quantization="float32",
            download=hub_download(hub, calls),
        )
    assert sorted(calls) == sorted((r, s.revision) for r, s in _specs().items())  # each once
    return model_dir


def test_every_served_repository_has_a_mirror() -> None:
    assert set(_specs()) == set(REPOS)


@pytest.mark.parametrize("repo", sorted(REPOS))
def test_fetch_keeps_configs_tokenizer_and_one_weight_format(fetched: Path, repo: str) -> None:
    spec, mirror = _specs()[repo], REPOS[repo]
    manifest = read_manifest(spec, fetched)
    assert manifest is not None and manifest.revision == spec.revision
    kept = set(manifest.files)
    weights = {"model.safetensors", "pytorch_model.bin"} & kept
    assert weights == {mirror.served_weights}
    assert not kept & (HEAVY_EXTRAS | {"README.md", ".gitattributes", "benchmark_results.txt"})
    assert kept == {
        n for n in mirror.files if n.endswith((".json", ".spm")) or n == "merges.txt"
    } | {mirror.served_weights}
    on_disk = {p.name for p in transformers_path(spec, fetched).iterdir()}
    assert on_disk == kept | ({"tokenizer.json"} if mirror.family == "bart" else set())
    assert (ctranslate2_path(spec, fetched) / "model.bin").is_file()


def test_distilbart_keeps_its_26_byte_tokenizer_config_and_gets_a_tokenizer_json(
    fetched: Path,
) -> None:
    spec = _specs()["sshleifer/distilbart-cnn-6-6"]
    folder = transformers_path(spec, fetched)
    assert (folder / "tokenizer_config.json").stat().st_size == 26
    assert "tokenizer.json" not in read_manifest(spec, fetched).files  # type: ignore[union-attr]
    assert (folder / "tokenizer.json").is_file()  # written by the fetch for serving


def test_serving_files_prefer_safetensors_else_bin() -> None:
    both = ["config.json", "model.safetensors", "pytorch_model.bin", "tf_model.h5", "vocab.json"]
    assert serving_files(both) == ["config.json", "model.safetensors", "vocab.json"]
    bin_only = ["config.json", "pytorch_model.bin", "flax_model.msgpack", "rust_model.ot"]
    assert serving_files(bin_only) == ["config.json", "pytorch_model.bin"]
    sharded = [
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
        "model.safetensors.index.json",
        "pytorch_model.bin.index.json",
        "pytorch_model-00001-of-00002.bin",
        "onnx/model.onnx",
        "onnx/config.json",
    ]
    assert serving_files(sharded) == sharded[:3]
    with pytest.raises(FetchError) as info:
        serving_files(["config.json", "tf_model.h5"])
    assert str(info.value) == (
        "the repository has no model.safetensors or pytorch_model.bin weights "
        "(files: config.json, tf_model.h5)"
    )


def test_fetch_refuses_a_commit_other_than_the_pin(hub: Path, tmp_path: Path) -> None:
    spec = _specs()["Helsinki-NLP/opus-mt-uk-en"]
    moved = "0" * 40

    def download(repo: str, revision: str, dest: Path) -> str:
        hub_download(hub)(repo, revision, dest)
        return moved

    with pytest.raises(FetchError) as info:
        fetch_model(spec, tmp_path, download=download)
    assert str(info.value) == (
        f"Helsinki-NLP/opus-mt-uk-en: the Hub returned commit {moved}, but the catalog pins "
        f"{spec.revision}; refusing it (move the pin on purpose: README, 'Moving a model pin')"
    )
    assert list(tmp_path.rglob("*")) == [] or not spec.directory(tmp_path).exists()


def test_a_moved_pin_fetches_again(hub: Path, tmp_path: Path) -> None:
    spec = _specs()["Helsinki-NLP/opus-mt-uk-en"]
    calls: list[tuple[str, str]] = []
    fetch_model(spec, tmp_path, convert=False, download=hub_download(hub, calls))
    fetch_model(spec, tmp_path, convert=False, download=hub_download(hub, calls))
    assert len(calls) == 1  # present at the pin: not downloaded again
    manifest = spec.directory(tmp_path) / "precis-model.json"
    record = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**record, "revision": "f" * 40}))
    fetch_model(spec, tmp_path, convert=False, download=hub_download(hub, calls))
    assert len(calls) == 2
    assert read_manifest(spec, tmp_path).revision == spec.revision  # type: ignore[union-attr]


def test_conversion_failure_is_one_line(hub: Path, tmp_path: Path) -> None:
    spec = _specs()["Helsinki-NLP/opus-mt-uk-en"]

    def broken(repo: str, revision: str, dest: Path) -> str:
        commit = hub_download(hub)(repo, revision, dest)
        config = json.loads((dest / "config.json").read_text())
        (dest / "config.json").write_text(json.dumps({**config, "model_type": "no-such-model"}))
        return commit

    with pytest.raises(ConversionError) as info:
        fetch_model(spec, tmp_path, download=broken)
    message = str(info.value)
    assert message.startswith("could not convert Helsinki-NLP/opus-mt-uk-en: ")
    assert "\n" not in message
    assert not spec.directory(tmp_path).exists()


def _agreement_input(repo: str) -> list[str]:
    language = {"fr-en": "fr", "zle-en": "uk", "uk-en": "uk", "ru-en": "ru"}
    source = next((v for k, v in language.items() if repo.endswith(k)), "en")
    sentences = [p.split(". ")[0] for p in article(source).split("\n\n")[:3]]
    if repo.endswith("en-zle"):
        return [f">>ukr<< {sentences[0]}", f">>rus<< {sentences[1]}"]
    return sentences


@pytest.fixture(scope="module")
def engines(
    fetched: Path,
) -> Iterator[Callable[[str], tuple[CTranslate2Engine, TransformersEngine]]]:
    def load(repo: str) -> tuple[CTranslate2Engine, TransformersEngine]:
        spec = _specs()[repo]
        folder = transformers_path(spec, fetched)
        common = {"name": spec.name, "max_input_tokens": spec.max_input_tokens}
        ct2 = CTranslate2Engine(
            ctranslate2_path(spec, fetched), folder, compute_type="float32", **common
        )
        return ct2, TransformersEngine(folder, dtype="float32", **common)

    yield load


@pytest.mark.parametrize("repo", sorted(REPOS))
def test_engines_agree_token_for_token(
    engines: Callable[[str], tuple[CTranslate2Engine, TransformersEngine]], repo: str
) -> None:
    ct2, hf = engines(repo)
    assert ct2.prefix == hf.prefix == (["<s>"] if REPOS[repo].family == "bart" else [])
    texts = _agreement_input(repo)
    options = GenerateOptions(max_new_tokens=12)
    out_ct2, out_hf = ct2.content_tokens(texts, options), hf.content_tokens(texts, options)
    assert out_ct2 == out_hf
    assert all(row for row in out_ct2)


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
@pytest.mark.parametrize("profile", SERVED)
def test_mirrored_profiles_serve(fetched: Path, profile: str, backend: str) -> None:
    settings = tiny_settings(fetched, profile=profile, backend=backend, compute_type="float32")
    running = ServerThread(settings).load()
    try:
        with running.client() as client:
            info = client.info()
            response = client.summarize(
                article("en"), source_language="en", targets=["en", "fr", "uk", "ru"]
            )
    finally:
        running.close()
    pins = {s.name: s.revision for s in load_catalog().profile(profile).models}
    assert {m.name: m.revision for m in info.models} == pins
    assert [s.language for s in response.summaries] == ["en", "fr", "uk", "ru"]
    assert all(s.text for s in response.summaries)
    by_language = {s.language: s.model for s in response.summaries}
    assert by_language["uk"] == "opus-mt-tc-big-en-zle"


def test_fetch_records_revisions_and_converts(model_dir: Path, tmp_path: Path) -> None:
    """The download function replaced by a copy of a built model: everything else is real."""
    tiny = load_catalog().profile("tiny")
    calls = []

    def download(repo: str, revision: str, dest: Path) -> str:
        calls.append((repo, revision))
        source = tiny.translators[0] if "opus-mt" in repo else tiny.summarizer
        shutil.copytree(source.directory(model_dir) / "transformers", dest)
        if "bart" in repo:  # as on the hub: the slow tokenizer's files, no tokenizer.json
            bpe = json.loads((dest / "tokenizer.json").read_text())["model"]
            (dest / "vocab.json").write_text(json.dumps(bpe["vocab"]))
            merges = [m if isinstance(m, str) else " ".join(m) for m in bpe["merges"]]
            (dest / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
            (dest / "tokenizer.json").unlink()
        return revision  # the pinned commit, as the Hub resolves it

    default = load_catalog().profile("default")
    manifests = fetch_profile(default, tmp_path, download=download)
    assert [m.repo for m in manifests] == [s.repo for s in default.models]
    assert calls == [(s.repo, s.revision) for s in default.models]
    for spec in default.models:
        manifest = read_manifest(spec, tmp_path)
        assert manifest is not None and len(manifest.revision) == 40
        assert (spec.directory(tmp_path) / "ctranslate2" / "model.bin").exists()
    require_models(default, tmp_path, backend="ctranslate2")  # now present
    text = ["The council met on Tuesday, and voted."]
    fetched = load_codec(transformers_path(default.summarizer, tmp_path))
    assert fetched.encode(text) == load_codec(transformers_path(tiny.summarizer, model_dir)).encode(
        text
    )
    fetch_profile(default, tmp_path, download=download)
    assert len(calls) == len(default.models)  # present models are not downloaded again
    assert not list(tmp_path.rglob("*.partial"))


def test_real_download_offline_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(FetchError) as info:
        download_snapshot("sshleifer/distilbart-cnn-12-6", "main", tmp_path / "x")
    assert "--profile tiny" in str(info.value)


def _spec() -> ModelSpec:
    """A downloadable model of the default profile (its translator: the smallest)."""
    return load_catalog().profile("default").translators[0]


def _tiny_copier(model_dir: Path, on_call: Callable[[], None]) -> Callable[[str, str, Path], str]:
    """A download function that copies the tiny translator (everything else stays real)."""
    source = load_catalog().profile("tiny").translators[0].directory(model_dir) / "transformers"

    def download(repo: str, revision: str, dest: Path) -> str:
        on_call()
        shutil.copytree(source, dest)
        return revision  # the pinned commit, as the Hub resolves it

    return download


def _assert_one_good_copy(spec: ModelSpec, store: Path) -> None:
    assert is_present(spec, store, backend="ctranslate2")
    manifest = read_manifest(spec, store)
    assert manifest is not None and manifest.revision == spec.revision
    assert (spec.directory(store) / "ctranslate2" / "model.bin").stat().st_size > 0
    leftovers = [p.name for p in spec.directory(store).parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [f".{spec.directory(store).name}.lock"]


def test_two_fetches_at_once_download_once(model_dir: Path, tmp_path: Path) -> None:
    """The second fetch waits for the first's lock, then finds the model present."""
    spec, store = _spec(), tmp_path / "store"
    calls: list[str] = []
    first_downloading = threading.Event()
    second_started = threading.Event()

    def on_call() -> None:
        calls.append(threading.current_thread().name)
        first_downloading.set()
        second_started.wait(10)  # keep the first download open while the second one starts

    download = _tiny_copier(model_dir, on_call)

    def second() -> None:
        first_downloading.wait(10)
        second_started.set()
        fetch_model(spec, store, download=download)

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(fetch_model, spec, store, download=download), pool.submit(second)]
        for future in futures:
            future.result(timeout=120)
    assert len(calls) == 1
    _assert_one_good_copy(spec, store)


def test_forced_fetches_at_once_never_overlap(model_dir: Path, tmp_path: Path) -> None:
    """Two forced fetches both download, one after the other, and the last one is published."""
    spec, store = _spec(), tmp_path / "store"
    active: list[int] = []
    overlaps: list[int] = []
    guard = threading.Lock()

    def on_call() -> None:
        with guard:
            active.append(1)
            overlaps.append(len(active))
        threading.Event().wait(0.3)  # a window for the other fetch to enter, were it not locked
        with guard:
            active.pop()
            overlaps.append(len(active) + 1)

    download = _tiny_copier(model_dir, on_call)
    with ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(fetch_model, spec, store, download=download, force=True) for _ in range(2)
        ]
        for future in futures:
            future.result(timeout=120)
    assert overlaps == [1, 1, 1, 1]
    _assert_one_good_copy(spec, store)


def test_failed_download_publishes_nothing_and_keeps_the_old_model(
    model_dir: Path, tmp_path: Path
) -> None:
    spec, store = _spec(), tmp_path / "store"
    fetch_model(spec, store, download=_tiny_copier(model_dir, lambda: None))
    before = (spec.directory(store) / "ctranslate2" / "model.bin").read_bytes()

    def broken(repo: str, revision: str, dest: Path) -> str:
        dest.mkdir(parents=True)
        (dest / "config.json").write_text("{}")  # half a download
        raise OSError("connection reset")

    with pytest.raises(OSError, match=r"^connection reset$"):
        fetch_model(spec, store, download=broken, force=True)
    assert (spec.directory(store) / "ctranslate2" / "model.bin").read_bytes() == before
    _assert_one_good_copy(spec, store)


def test_work_folders_are_unique_and_stale_ones_are_removed(tmp_path: Path) -> None:
    """Every container is PID 1: work folders must not be named after the pid."""
    spec = _spec()
    root = spec.directory(tmp_path)
    stale = root.with_name(f".{root.name}.1.partial")
    stale.mkdir(parents=True)
    (stale / "model.bin").write_bytes(b"half")
    remove_stale_work(root)
    assert not stale.exists()
    with staged(root) as first, staged(root) as second:
        assert first.parent.name != second.parent.name and first.is_dir() and second.is_dir()
    assert not list(tmp_path.rglob("*.partial"))
    with pytest.raises(FileNotFoundError), staged(root) as third:
        remove_stale_work(root)  # under the lock, any work folder counts as stale
        assert not third.exists()


def test_publish_refuses_a_folder_without_manifest(tmp_path: Path) -> None:
    spec = _spec()
    incomplete = pytest.raises(RuntimeError, match=f"no {MANIFEST}, so it is incomplete$")
    with incomplete, staged(spec.directory(tmp_path), marker=MANIFEST) as work:
        (work / "transformers").mkdir()
    assert not spec.directory(tmp_path).exists()
