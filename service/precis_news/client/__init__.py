"""Python clients for the Précis gRPC API: PrecisClient (blocking), AsyncPrecisClient (asyncio)."""

from __future__ import annotations

# `X as X`: re-exported from the modules that hold them (__all__ below is built, not literal).
from precis_news import CLIENT_API
from precis_news.client.aio import AsyncPrecisClient as AsyncPrecisClient
from precis_news.client.channel import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from precis_news.client.corpus import BatchInputError as BatchInputError
from precis_news.client.corpus import CorpusResult as CorpusResult
from precis_news.client.corpus import summarize_corpus as summarize_corpus
from precis_news.client.errors import ERROR_CLASSES as ERROR_CLASSES
from precis_news.client.errors import Cancelled as Cancelled
from precis_news.client.errors import DeadlineExceeded as DeadlineExceeded
from precis_news.client.errors import InternalError as InternalError
from precis_news.client.errors import InvalidArgument as InvalidArgument
from precis_news.client.errors import NotFound as NotFound
from precis_news.client.errors import PrecisError as PrecisError
from precis_news.client.errors import ResourceExhausted as ResourceExhausted
from precis_news.client.errors import Unauthenticated as Unauthenticated
from precis_news.client.errors import Unavailable as Unavailable
from precis_news.client.errors import error_from_rpc as error_from_rpc
from precis_news.client.errors import retry_after_from_status as retry_after_from_status
from precis_news.client.requests import LENGTH_NAMES as LENGTH_NAMES
from precis_news.client.requests import LengthName as LengthName
from precis_news.client.sync import PrecisClient as PrecisClient

__all__ = [*CLIENT_API, "ERROR_CLASSES", "error_from_rpc", "retry_after_from_status"]
