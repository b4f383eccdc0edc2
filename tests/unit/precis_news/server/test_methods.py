"""The methods' dispatch table: one handler per RPC of the proto's service, and no other."""

from __future__ import annotations

import inspect

from precis_news._proto import precis_pb2 as pb
from precis_news.server.methods import HANDLERS, Methods

SERVICE = pb.DESCRIPTOR.services_by_name["Summarizer"]


def test_every_rpc_has_exactly_one_handler_and_every_handler_an_rpc() -> None:
    rpcs = [method.name for method in SERVICE.methods]
    assert sorted(HANDLERS) == sorted(rpcs)
    handlers = list(HANDLERS.values())
    assert len(set(handlers)) == len(handlers), "two RPCs share one handler"


def test_each_handler_is_a_methods_function_of_the_rpcs_shape() -> None:
    for method in SERVICE.methods:
        handler = HANDLERS[method.name]
        assert getattr(Methods, handler.__name__) is handler, method.name
        streams = inspect.isasyncgenfunction(handler)
        assert streams == method.server_streaming, method.name
        assert streams or inspect.iscoroutinefunction(handler), method.name
