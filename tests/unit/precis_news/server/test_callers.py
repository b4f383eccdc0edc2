"""The caller labels and deadlines the transports give the model layer."""

from __future__ import annotations

from precis_news.server.callers import key_label, parse_timeout


def test_a_key_is_labelled_by_a_short_hash_never_by_itself() -> None:
    headers = [("authorization", "Bearer s3cret-key")]
    label = key_label(headers, "ipv4:10.0.0.1:5000", keyed=True)
    assert label.startswith("key:") and len(label) == 14 and "s3cret" not in label
    assert label == key_label([("Authorization", b"Bearer s3cret-key")], "", keyed=True)
    assert label != key_label([("authorization", "Bearer other")], "", keyed=True)


def test_without_keys_the_peer_host_is_the_caller_whatever_its_port() -> None:
    assert key_label([], "ipv4:10.0.0.1:5000", keyed=False) == "peer:10.0.0.1"
    assert key_label([], "ipv4:10.0.0.1:5001", keyed=False) == "peer:10.0.0.1"
    assert key_label([], "ipv6:[::1]:5000", keyed=False) == "peer:::1"
    assert key_label([], "ipv6:%5B::1%5D:5000", keyed=False) == "peer:::1"  # as grpc writes it
    assert key_label([], "127.0.0.1", keyed=False) == "peer:127.0.0.1"  # aiohttp's remote
    assert key_label([("authorization", "Bearer x")], "", keyed=False) == "peer:unknown"


def test_grpc_timeouts_parse_and_anything_else_is_none() -> None:
    assert parse_timeout("2S") == 2.0 and parse_timeout("500m") == 0.5
    assert parse_timeout("1M") == 60.0
    assert parse_timeout("") is None and parse_timeout("2 seconds") is None
