"""Server-side `precis` commands: serve and models fetch|build-tiny|list.

This module imports only the standard library and the settings, so the `precis` parser lists these
commands in a client-only install too; each command says which extra it needs when it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

from precis_news.settings import (
    add_arguments,
    default_model_dir,
    load_settings,
    overrides_from,
    setting_choices,
)

log = logging.getLogger(__name__)
EXIT_FAILED = 2


def _needs_server_extra(run: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Turn a missing server dependency into one clear line instead of a traceback."""

    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except ModuleNotFoundError as exc:
            if exc.name is None or exc.name.split(".")[0] in OUR_PACKAGES:
                raise  # a bug of ours, not a missing extra: keep its traceback
            print(
                f"precis: `precis {args.command}` needs the server dependencies (missing "
                f"{exc.name}): {_install_hint(exc.name)}",
                file=sys.stderr,
            )
            return EXIT_FAILED

    return wrapper


OUR_PACKAGES = ("precis_news", "precis_models")


def _install_hint(missing: str | None) -> str:
    """What to install: the extra that brings the missing module (backends.extra_for)."""
    from precis_models.backends import extra_for, install_hint

    return install_hint(extra_for(missing.split(".")[0]) if missing else "server")


def add_server_commands(subparsers: Any) -> None:
    """Add `serve` and `models` to the `precis` parser."""
    serve = subparsers.add_parser(
        "serve",
        help="run the gRPC server",
        description="Run the gRPC server. Every setting is also PRECIS_<NAME> and a TOML key "
        "(--config FILE or PRECIS_CONFIG).",
    )
    serve.add_argument("--config", type=str, default=None, help="TOML settings file")
    add_arguments(serve, choices={"profile": _profiles()})
    serve.set_defaults(func=_run_serve)

    models = subparsers.add_parser("models", help="download, build and list models")
    commands = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")

    fetch = commands.add_parser(
        "fetch",
        help="download a profile's models from the Hugging Face Hub (pinned revisions); "
        "built profiles (tiny, bench) are built instead",
    )
    _add_store_flags(fetch)
    fetch.add_argument("--force", action="store_true", help="download again even if present")
    fetch.set_defaults(func=_run_fetch)

    build = commands.add_parser(
        "build-tiny", help="build random-weight models offline (tests, benchmarks, demos)"
    )
    _add_store_flags(build, profile=False)
    build.add_argument(
        "--size",
        choices=("tiny", "real"),
        default="tiny",
        help="tiny: the `tiny` profile (seconds); real: the `bench` profile, random weights at "
        "the default profile's exact sizes (minutes, ~5 GB)",
    )
    build.add_argument("--force", action="store_true", help="rebuild even if present")
    build.add_argument(
        "--progress",
        action="store_true",
        help="a line per model even when not on a terminal (scripts, CI logs)",
    )
    build.set_defaults(func=_run_build)

    listing = commands.add_parser("list", help="profiles, their models and what is on disk")
    _add_store_flags(listing, profile=False)
    listing.set_defaults(func=_run_list)


@functools.cache
def _profiles() -> list[str]:
    """The catalog's profile names, read once and without importing the model layer (building
    the `precis` parser, for any command, stays as light as the client)."""
    import importlib.util
    import tomllib
    from pathlib import Path

    # Found, not imported: building the parser loads nothing of the model layer.
    spec = importlib.util.find_spec("precis_models")
    assert spec is not None and spec.submodule_search_locations
    catalog = Path(next(iter(spec.submodule_search_locations))) / "catalog.toml"
    with catalog.open("rb") as handle:
        return sorted(tomllib.load(handle)["profiles"])


def _add_store_flags(parser: argparse.ArgumentParser, *, profile: bool = True) -> None:
    if profile:
        parser.add_argument(
            "--profile",
            default=None,
            choices=_profiles(),
            help="catalog profile [default: default]",
        )
    parser.add_argument(
        "--model-dir",
        dest="model_dir",
        default=None,
        help=f"model directory [env PRECIS_MODEL_DIR; default {default_model_dir()}]",
    )
    parser.add_argument(
        "--backend",
        default=None,
        choices=setting_choices("backend"),
        help="ctranslate2 (converts after download) or transformers [default: ctranslate2]",
    )


def _settings(args: argparse.Namespace) -> Any:
    overrides = {k: getattr(args, k, None) for k in ("profile", "model_dir", "backend")}
    return load_settings(overrides=overrides)


def _cleanup_on_sigterm() -> None:
    """SIGTERM ends a writing command like Ctrl-C: its work folders are removed on the way out
    (the default action would kill it where it stands; a later build would still clear them)."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _logging(level: str = "INFO") -> None:
    from precis_news.server.calls import configure_logging

    configure_logging(level)


@_needs_server_extra
def _run_serve(args: argparse.Namespace) -> int:
    from pathlib import Path

    from precis_models.catalog import UnknownProfile
    from precis_models.store import ModelsMissing
    from precis_news.server.app import CannotListen, run

    try:
        settings = load_settings(
            config_file=Path(args.config) if args.config else None, overrides=overrides_from(args)
        )
    except (ValueError, OSError) as exc:
        print(f"precis: bad settings: {exc}", file=sys.stderr)
        return EXIT_FAILED
    _logging(settings.log_level)
    try:
        asyncio.run(run(settings))
    except (ModelsMissing, UnknownProfile, CannotListen) as exc:  # the user's to fix
        print(f"precis: {exc.args[0]}", file=sys.stderr)
        return EXIT_FAILED
    except ModuleNotFoundError:
        raise  # a missing extra: one line from _needs_server_extra
    except Exception:
        log.exception("the server failed")
        return 1
    return 0


@_needs_server_extra
def _run_fetch(args: argparse.Namespace) -> int:
    from precis_models.backends import backend
    from precis_models.catalog import load_catalog
    from precis_models.fetch import FetchError, fetch_profile

    settings = _settings(args)
    _logging()
    _cleanup_on_sigterm()
    profile = load_catalog().profile(settings.profile)
    if any(s.is_built for s in profile.models):
        # Built profiles (tiny, bench) are built here: one command prepares any profile, which
        # is what a compose service or an init container runs.
        from precis_models.loader import build_missing

        built = build_missing(profile, settings.model_dir)
        print(f"profile {profile.name!r}: built {len(built)} model(s) in {settings.model_dir}")
    try:
        manifests = fetch_profile(
            profile,
            settings.model_dir,
            convert=backend(settings.backend).converts,
            force=args.force,
        )
    except FetchError as exc:
        print(f"precis: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for manifest in manifests:
        print(f"{manifest.repo}@{manifest.revision}")
    return 0


@_needs_server_extra
def _run_build(args: argparse.Namespace) -> int:
    import shutil

    from precis_models.catalog import load_catalog
    from precis_models.loader import build_missing

    settings = _settings(args)
    _cleanup_on_sigterm()
    # On a terminal (or with --progress), one "building <model>" line per model shows progress;
    # piped, only the result line (and warnings) come out.
    _logging("INFO" if sys.stderr.isatty() or args.progress else "WARNING")
    if not sys.stderr.isatty():
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    profile = load_catalog().profile("tiny" if args.size == "tiny" else "bench")
    if args.force:
        for spec in profile.models:
            shutil.rmtree(spec.directory(settings.model_dir), ignore_errors=True)
    built = build_missing(profile, settings.model_dir)
    print(
        f"profile {profile.name!r}: built {len(built)} model(s) in {settings.model_dir}"
        f" ({len(profile.models) - len(built)} already there)"
    )
    return 0


@_needs_server_extra
def _run_list(args: argparse.Namespace) -> int:
    from precis_models.catalog import load_catalog
    from precis_models.store import is_present, read_manifest

    settings = _settings(args)
    for profile in load_catalog().profiles.values():
        print(f"{profile.name}: {profile.description}")
        for spec in profile.models:
            manifest = read_manifest(spec, settings.model_dir)
            here = is_present(spec, settings.model_dir, backend=settings.backend)
            state = f"present @{manifest.revision}" if here and manifest else "missing"
            print(f"  {spec.task:<9} {spec.repo:<40} {spec.license:<12} {state}")
    return 0
