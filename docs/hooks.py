"""MkDocs hook: fills the API and configuration pages' marked spots from the proto and Settings."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Marker comment in a page -> the function that writes what replaces it.
MARKERS: dict[str, Callable[[], str]] = {}

# FileDescriptorProto / DescriptorProto field numbers, as SourceCodeInfo paths name them.
_MESSAGE, _ENUM, _SERVICE = 4, 5, 6
_FIELD, _NESTED_MESSAGE, _NESTED_ENUM = 2, 3, 4
_ENUM_VALUE = _METHOD = 2


def _marker(name: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def register(write: Callable[[], str]) -> Callable[[], str]:
        MARKERS[f"<!-- generated: {name} -->"] = write
        return write

    return register


def _on_path() -> None:
    """Make the repository's own code importable (the build may run outside the editable venv)."""
    for folder in (ROOT / "service", ROOT / "models", ROOT):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


def _proto_file() -> Any:
    """The precis.v1 FileDescriptorProto with its comments (protoc --include_source_info).

    Returns:
        The descriptor_pb2.FileDescriptorProto of protos/precis/v1/precis.proto.

    Raises:
        RuntimeError: protoc failed.
    """
    from google.protobuf import descriptor_pb2

    from protos.generate import SOURCE, run_protoc

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "precis.pb"
        run_protoc("--include_source_info", f"--descriptor_set_out={out}")
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file
    return next(f for f in files if f.name == SOURCE)


def _one_line(text: str) -> str:
    """A comment as one table cell: lines joined, pipes escaped."""
    return " ".join(line.strip() for line in text.strip().splitlines()).replace("|", "\\|")


def _type_name(field: Any) -> str:
    from google.protobuf import descriptor_pb2

    kind = descriptor_pb2.FieldDescriptorProto
    if field.type_name.startswith(".precis.v1."):  # a message or enum of this page: link it
        name = field.type_name.removeprefix(".precis.v1.")
        shown = f"[`{name}`](#{name})"
    elif field.type_name:
        shown = f"`{field.type_name.removeprefix('.')}`"
    else:
        shown = f"`{kind.Type.Name(field.type).removeprefix('TYPE_').lower()}`"
    repeated = field.label == kind.LABEL_REPEATED
    optional = field.proto3_optional
    return ("repeated " if repeated else "optional " if optional else "") + shown


def _messages(
    messages: Any, path: tuple[int, ...], prefix: str
) -> Iterator[tuple[str, Any, tuple[int, ...]]]:
    """Every message, nested ones after their parent, with its SourceCodeInfo path."""
    for i, message in enumerate(messages):
        here = (*path, i)
        yield prefix + message.name, message, here
        yield from _messages(
            message.nested_type, (*here, _NESTED_MESSAGE), f"{prefix}{message.name}."
        )


def _enums(file: Any) -> Iterator[tuple[str, Any, tuple[int, ...]]]:
    for i, enum in enumerate(file.enum_type):
        yield enum.name, enum, (_ENUM, i)
    for name, message, path in _messages(file.message_type, (_MESSAGE,), ""):
        for i, enum in enumerate(message.enum_type):
            yield f"{name}.{enum.name}", enum, (*path, _NESTED_ENUM, i)


def _described_proto() -> tuple[Any, dict[tuple[int, ...], str]]:
    """The proto file and each element's leading comment (one line) by its SourceCodeInfo path."""
    _on_path()
    file = _proto_file()
    locations = file.source_code_info.location
    return file, {tuple(loc.path): _one_line(loc.leading_comments) for loc in locations}


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table's lines, then an empty one."""
    lines = [header, ["---"] * len(header), *rows]
    return ["| " + " | ".join(cells) + " |" for cells in lines] + [""]


@_marker("proto-service")
def service_reference() -> str:
    """The precis.v1 service: each RPC, its messages, its HTTP route and its comment.

    Returns:
        Markdown for the API page.
    """
    file, comments = _described_proto()
    from precis_news.server.http.routes import routes

    http = {route.name: f"`{route.verb} {route.path}`" for route in routes()}
    out = []
    for s, service in enumerate(file.service):
        out += [f"Service `{file.package}.{service.name}`: {comments.get((_SERVICE, s), '')}", ""]
        rows = []
        for m, method in enumerate(service.method):
            stream = "stream " if method.server_streaming else ""
            request, response = (t.split(".")[-1] for t in (method.input_type, method.output_type))
            kinds = f"`{request}` → {stream}`{response}`"
            doc = comments.get((_SERVICE, s, _METHOD, m), "")
            rows.append([f"`{method.name}`", kinds, http.get(method.name, ""), doc])
        out += _table(["RPC", "request → response", "HTTP", "what it does"], rows)
    return "\n".join(out)


@_marker("proto-messages")
def message_reference() -> str:
    """Every message and enum of precis.v1 with the comments on it and on each field and value.

    Returns:
        Markdown for the API page.
    """
    file, comments = _described_proto()
    out = []
    for name, message, path in _messages(file.message_type, (_MESSAGE,), ""):
        out += [f"### `{name}` {{#{name}}}", ""] + (
            [comments[path], ""] if comments.get(path) else []
        )
        rows = [
            [f"`{field.name}`", _type_name(field), comments.get((*path, _FIELD, f), "")]
            for f, field in enumerate(message.field)
        ]
        out += _table(["field", "type", "meaning"], rows) if rows else []
    for name, enum, path in _enums(file):
        out += [f"### `{name}` (enum) {{#{name}}}", ""] + (
            [comments[path], ""] if comments.get(path) else []
        )
        rows = [
            [f"`{value.name}`", str(value.number), comments.get((*path, _ENUM_VALUE, v), "")]
            for v, value in enumerate(enum.value)
        ]
        out += _table(["value", "number", "meaning"], rows)
    return "\n".join(out)


def _default(f: dataclasses.Field[Any]) -> str:
    """A setting's default as the page shows it (a computed one by the function computing it)."""
    if f.default_factory is not dataclasses.MISSING:
        return f"`{getattr(f.default_factory, '__name__', 'computed')}()`"
    value = f.default
    if value in (None, (), ""):
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"`{value}`"


@_marker("settings")
def settings_reference() -> str:
    """One row per Settings field: TOML key, environment variable, flag, default and help.

    Returns:
        Markdown for the configuration page.
    """
    _on_path()
    from precis_news.settings import ENV_PREFIX, Settings

    rows = [
        [
            f"`{f.name}`",
            f"`{ENV_PREFIX}{f.name.upper()}`",
            "`--" + f.name.replace("_", "-") + "`",
            _default(f),
            _one_line(f.metadata.get("help", "")),
        ]
        for f in dataclasses.fields(Settings)
    ]
    return "\n".join(_table(["TOML key", "environment", "flag", "default", "meaning"], rows))


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs event: replace each marker comment with what its function writes.

    Args:
        markdown: the page's source.

    Returns:
        The page with every marker replaced.
    """
    for marker, write in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, write())
    return markdown
