"""Refusals renamed into proto3 JSON field names for HTTP callers (server.http.fields)."""

from __future__ import annotations

import grpc

from precis_news._proto import precis_pb2 as pb
from precis_news.server.http.fields import in_json_words
from precis_news.server.status import Status

SUMMARIZE = pb.SummarizeRequest.DESCRIPTOR


def test_field_names_become_json_names_in_message_and_field() -> None:
    status = Status(
        grpc.StatusCode.INVALID_ARGUMENT,
        "the article appears to be German (de); supported: en, fr, uk, ru (if it is in one of "
        "them, say which in source_language)",
        field="source_language",
    )
    renamed = in_json_words(status, SUMMARIZE)
    assert renamed.message.endswith("say which in sourceLanguage)")
    assert renamed.field == "sourceLanguage"
    assert renamed.code is status.code


def test_only_whole_field_names_of_the_request_change() -> None:
    status = Status(grpc.StatusCode.INVALID_ARGUMENT, "text is empty; my_source_language_x stays")
    assert in_json_words(status, SUMMARIZE) == status
    translate = Status(grpc.StatusCode.INVALID_ARGUMENT, "texts[2] is empty", field="texts[2]")
    assert in_json_words(translate, pb.TranslateRequest.DESCRIPTOR) == translate
    target = Status(grpc.StatusCode.INVALID_ARGUMENT, "target_language is required")
    assert in_json_words(target, pb.TranslateRequest.DESCRIPTOR).message == (
        "targetLanguage is required"
    )
