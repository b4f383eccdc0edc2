"""Précis: multilingual news summarization over gRPC (en, fr, uk, ru).

The client API lives at the package root: `from precis_news import PrecisClient`. It is imported
on first use, so the model layer (`precis_news.models`, which never touches gRPC) can be imported
without loading the client.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("precis-news")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from precis_news.client import (
        AsyncPrecisClient,
        Cancelled,
        DeadlineExceeded,
        InternalError,
        InvalidArgument,
        NotFound,
        PrecisClient,
        PrecisError,
        ResourceExhausted,
        Unauthenticated,
        Unavailable,
    )

__all__ = [
    "AsyncPrecisClient",
    "Cancelled",
    "DeadlineExceeded",
    "InternalError",
    "InvalidArgument",
    "NotFound",
    "PrecisClient",
    "PrecisError",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
    "__version__",
    "types",
]
_LAZY = frozenset(__all__) - {"__version__", "types"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("precis_news.client"), name)
    if name == "types":
        return importlib.import_module("precis_news.types")
    raise AttributeError(f"module 'precis_news' has no attribute {name!r}")
