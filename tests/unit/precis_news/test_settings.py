"""Settings: layering of defaults, file, environment and flags; validation; the model layer's
views of them."""

from __future__ import annotations

from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from precis_models.backends import BACKENDS, SUMMARIZERS
from precis_models.batching import BatchLimits
from precis_models.runtime import Runtime
from precis_news.settings import Settings, load_settings, setting_choices


def test_settings_layers_defaults_file_env_flags(tmp_path: Path) -> None:
    config = tmp_path / "precis.toml"
    config.write_text('profile = "fast"\nport = 6000\nmax_chunks = 7\napi_keys = ["a", "b"]\n')
    env = {"PRECIS_PORT": "7000", "PRECIS_BACKEND": "transformers"}
    settings = load_settings(config_file=config, env=env, overrides={"port": 8000, "host": None})
    assert settings.profile == "fast"  # file
    assert settings.max_chunks == 7  # file
    assert settings.backend == "transformers"  # env
    assert settings.port == 8000  # flag beats env beats file
    assert settings.host == "127.0.0.1"  # default (None flags do not override)
    assert settings.api_keys == ("a", "b")
    assert load_settings(env={"PRECIS_API_KEYS": "x, y"}).api_keys == ("x", "y")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PRECIS_BACKEND": "onnx"}, "backend must be one of ctranslate2, transformers"),
        ({"PRECIS_PORT": "http"}, "port must be int, got 'http'"),
        ({"PRECIS_MAX_QUEUE": "0"}, "max_queue must be at least 1"),
        ({"PRECIS_INTERACTIVE_RESERVE_SECONDS": "-1"}, "interactive_reserve_seconds must be at"),
        ({"PRECIS_INTERACTIVE_RESERVE_SECONDS": "nan"}, "interactive_reserve_seconds must be at"),
        ({"PRECIS_BACKGROUND_NICE": "-1"}, r"background_nice must be 0 \(off\) or a nice value"),
        ({"PRECIS_BACKGROUND_NICE": "20"}, r"background_nice must be 0 \(off\) or a nice value"),
        ({"PRECIS_MODEL_KEEP_ALIVE_SECONDS": "-5"}, "model_keep_alive_seconds must be at"),
        ({"PRECIS_MODEL_KEEP_ALIVE_SECONDS": "nan"}, "model_keep_alive_seconds must be at"),
        (
            {"PRECIS_MODEL_KEEP_ALIVE_SECONDS": "300", "PRECIS_BACKEND": "transformers"},
            "model_keep_alive_seconds needs backend ctranslate2",
        ),
    ],
)
def test_settings_reject_bad_values(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings(env=env)


def test_settings_reject_unknown_file_keys(tmp_path: Path) -> None:
    config = tmp_path / "precis.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(ValueError, match="unknown setting"):
        load_settings(config_file=config, env={})


@pytest.mark.parametrize("view", [BatchLimits, Runtime])
def test_model_layer_views_take_every_value_from_settings(view: type) -> None:
    """Each default lives in Settings only: the views have none, and fill from it by name."""
    assert all(f.default is f.default_factory is MISSING for f in fields(view))
    settings = load_settings(env={"PRECIS_MAX_QUEUE": "7", "PRECIS_THREADS": "3"})
    filled = settings.view(view)
    assert all(getattr(filled, f.name) == getattr(settings, f.name) for f in fields(view))


def test_backend_and_summarizer_choices_are_the_registrys() -> None:
    assert setting_choices("backend") == tuple(BACKENDS)
    assert setting_choices("summarizer") == SUMMARIZERS
    assert setting_choices("port") == ()


@pytest.mark.parametrize(
    ("name", "value", "meaning"),
    [
        ("port", -1, "0 (any free port)"),
        ("port", 70000, "0 (any free port)"),
        ("http_port", -2, "-1 (off), 0 (any free port)"),
        ("http_port", 65536, "-1 (off), 0 (any free port)"),
        ("metrics_port", -1, "0 (off)"),
    ],
)
def test_a_port_out_of_range_is_refused_naming_the_setting(
    name: str, value: int, meaning: str
) -> None:
    with pytest.raises(ValueError) as info:
        Settings(**{name: value})
    assert str(info.value) == f"{name} must be {meaning} or a port up to 65535, got {value}"
