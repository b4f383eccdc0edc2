"""The JSON routes, read from the proto's google.api.http options (the one place they live)."""

from __future__ import annotations

from dataclasses import dataclass

from google.api import annotations_pb2
from google.protobuf.descriptor import MethodDescriptor

from precis_news._proto import precis_pb2 as pb
from precis_news.server.methods import HANDLERS, Handler

SERVICE = pb.DESCRIPTOR.services_by_name["Summarizer"]


@dataclass(frozen=True)
class Route:
    """One precis.v1 method over HTTP."""

    method: MethodDescriptor
    verb: str  # "GET" or "POST"
    path: str  # "/v1/summarize"
    body: str  # "*" (the whole request message) or "" (none: a GET)
    handler: Handler  # the server.methods function serving it (HANDLERS[name])

    @property
    def name(self) -> str:
        """The gRPC method name: "StreamSummarize"."""
        return str(self.method.name)

    @property
    def streams(self) -> bool:
        return bool(self.method.server_streaming)


def routes() -> tuple[Route, ...]:
    """Every Summarizer method that has a google.api.http option, in proto order, each with its
    handler from server.methods.HANDLERS."""
    found = []
    for method in SERVICE.methods:
        options = method.GetOptions()
        if not options.HasExtension(annotations_pb2.http):
            continue
        rule = options.Extensions[annotations_pb2.http]
        verb = rule.WhichOneof("pattern")
        if verb not in ("get", "post"):
            raise ValueError(f"{method.name}: only get and post routes are served, not {verb}")
        found.append(
            Route(method, verb.upper(), getattr(rule, verb), rule.body, HANDLERS[method.name])
        )
    return tuple(found)
