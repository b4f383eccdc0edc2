"""Précis: multilingual news summarization over gRPC (en, fr, uk, ru).

The client API lives at the package root: `from precis_news import PrecisClient`. It is imported
on first use, so the model layer (`precis_models`, which never touches gRPC) can be imported
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

if TYPE_CHECKING:  # `X as X`: re-exported for type checkers; imported lazily at run time
    from precis_news.client import (
        AsyncPrecisClient as AsyncPrecisClient,
    )
    from precis_news.client import (
        BatchInputError as BatchInputError,
    )
    from precis_news.client import (
        Cancelled as Cancelled,
    )
    from precis_news.client import (
        CorpusResult as CorpusResult,
    )
    from precis_news.client import (
        DeadlineExceeded as DeadlineExceeded,
    )
    from precis_news.client import (
        InternalError as InternalError,
    )
    from precis_news.client import (
        InvalidArgument as InvalidArgument,
    )
    from precis_news.client import (
        NotFound as NotFound,
    )
    from precis_news.client import (
        PrecisClient as PrecisClient,
    )
    from precis_news.client import (
        PrecisError as PrecisError,
    )
    from precis_news.client import (
        ResourceExhausted as ResourceExhausted,
    )
    from precis_news.client import (
        Unauthenticated as Unauthenticated,
    )
    from precis_news.client import (
        Unavailable as Unavailable,
    )
    from precis_news.client import (
        summarize_corpus as summarize_corpus,
    )

# The client API re-exported at the root (precis_news.client lists them in its __all__ too).
CLIENT_API = (
    "AsyncPrecisClient",
    "BatchInputError",
    "Cancelled",
    "CorpusResult",
    "DeadlineExceeded",
    "InternalError",
    "InvalidArgument",
    "NotFound",
    "PrecisClient",
    "PrecisError",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
    "summarize_corpus",
)
__all__ = [*CLIENT_API, "__version__", "types"]


def __getattr__(name: str) -> Any:
    if name in CLIENT_API:
        return getattr(importlib.import_module("precis_news.client"), name)
    if name == "types":
        return importlib.import_module("precis_news.types")
    raise AttributeError(f"module 'precis_news' has no attribute {name!r}")
