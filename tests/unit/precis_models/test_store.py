"""The model store: missing models fail fast naming the fix; folders are published whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from precis_models.catalog import load_catalog
from precis_models.store import ModelsMissing, require_models, staged


def test_default_profile_without_models_fails_fast_naming_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelsMissing) as info:
        require_models(load_catalog().profile("default"), tmp_path, backend="ctranslate2")
    assert "precis models fetch --profile default" in str(info.value)
    assert "--profile tiny" in str(info.value)


def test_staged_folder_is_renamed_into_place_on_success(tmp_path: Path) -> None:
    target = tmp_path / "models" / "one"
    with staged(target) as work:
        assert work.is_dir() and not any(work.iterdir()) and work.parent.parent == target.parent
        assert not target.exists()  # nothing is visible before the block ends
        (work / "weights.bin").write_bytes(b"new")
    assert (target / "weights.bin").read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["one"]


def test_staged_folder_replaces_the_old_one_whose_open_files_stay_readable(tmp_path: Path) -> None:
    target = tmp_path / "one"
    target.mkdir()
    (target / "old.bin").write_bytes(b"old")
    with (target / "old.bin").open("rb") as reader:
        with staged(target) as work:
            (work / "new.bin").write_bytes(b"new")
        assert sorted(p.name for p in target.iterdir()) == ["new.bin"]
        assert reader.read() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one"]  # the old copy is gone


def test_a_failed_staging_leaves_nothing_behind_and_the_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "one"
    target.mkdir()
    (target / "old.bin").write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"), staged(target) as work:
        (work / "half.bin").write_bytes(b"half")
        raise OSError("disk full")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one"]
    assert sorted(p.name for p in target.iterdir()) == ["old.bin"]


def test_a_staged_folder_without_its_marker_is_not_published(tmp_path: Path) -> None:
    target = tmp_path / "one"
    incomplete = pytest.raises(RuntimeError, match=r"no done\.txt, so it is incomplete$")
    with incomplete, staged(target, marker="done.txt") as work:
        (work / "weights.bin").write_bytes(b"new")
    assert list(tmp_path.iterdir()) == []
    with staged(target, marker="done.txt") as work:
        (work / "done.txt").write_text("ok")
    assert (target / "done.txt").is_file()
