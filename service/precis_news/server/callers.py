"""Who a call is for, as the transport knows it: a label of its API key (never the key), its
deadline; server.methods adds the request's priority."""

from __future__ import annotations

import hashlib
import re
import time
import urllib.parse
from collections.abc import Iterable
from contextvars import ContextVar

import grpc
from aiohttp import web

from precis_models.scheduling import ANYONE, Caller

# The caller of the call being served (set by each transport before server.methods runs).
CALLER: ContextVar[Caller] = ContextVar("caller", default=ANYONE)
# gRPC's timeout header format, which grpc-gateway also reads over HTTP: "2S", "500m", "1H".
_TIMEOUT = re.compile(r"(\d{1,8})([HMSmun])")
_UNIT_SECONDS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}
LABEL_HEX = 10  # hex digits of a key's hash in its label: tells keys apart, reveals nothing


def key_label(headers: Iterable[tuple[str, str | bytes]], peer: str, *, keyed: bool) -> str:
    """The label fair shares and per-caller limits count a caller by: "key:<hash>" of its
    bearer key when the server has keys (the guard has checked it), else "peer:<address>"
    (the port left out: one host's connections are one caller).

    The key itself is never returned: labels appear in logs and refusal messages.
    """
    if keyed:
        for name, value in headers:
            if name.lower() == "authorization":
                text = value.decode("latin-1") if isinstance(value, bytes) else value
                token = text.partition(" ")[2].encode("utf-8", "replace")
                return "key:" + hashlib.sha256(token).hexdigest()[:LABEL_HEX]
    host = urllib.parse.unquote(peer).removeprefix("ipv4:").removeprefix("ipv6:")
    if host.count(":") == 1 or host.startswith("["):  # host:port, [v6]:port
        host = host.rpartition(":")[0].strip("[]")
    return "peer:" + (host or "unknown")


def parse_timeout(value: str) -> float | None:
    """Seconds of a gRPC-format timeout ("2S", "500m"), or None when `value` is not one."""
    match = _TIMEOUT.fullmatch(value.strip())
    if match is None:
        return None
    return int(match[1]) * _UNIT_SECONDS[match[2]]


def grpc_caller(context: grpc.aio.ServicerContext, *, keyed: bool) -> Caller:
    """The caller of a gRPC call: its key's label and its deadline (grpc's time remaining)."""
    remaining = context.time_remaining()
    return Caller(
        key_label(context.invocation_metadata() or (), context.peer() or "", keyed=keyed),
        deadline=None if remaining is None else time.monotonic() + remaining,
    )


def http_caller(request: web.Request, *, keyed: bool) -> Caller:
    """The caller of an HTTP call: its key's label and the deadline its `Grpc-Timeout` header
    sets (as grpc-gateway reads it), if any."""
    timeout = parse_timeout(request.headers.get("Grpc-Timeout", ""))
    return Caller(
        key_label(request.headers.items(), request.remote or "", keyed=keyed),
        deadline=None if timeout is None else time.monotonic() + timeout,
    )
