"""bench.closed_loop: the model of the throughput bench's closed loop, on given costs."""

from __future__ import annotations

from typing import Any

import pytest

from bench import closed_loop

# Core-seconds per text by batch size (the shape bench.engine_scaling measures).
SUMMARIZER = {1: 2.0, 4: 1.0, 8: 0.9, 16: 0.9}
TRANSLATOR = {1: 3.2, 4: 1.6, 8: 1.4, 16: 1.4}


def test_costs_between_measured_sizes_are_interpolated() -> None:
    assert closed_loop.per_text(SUMMARIZER, 1) == 2.0
    assert closed_loop.per_text(SUMMARIZER, 2) == pytest.approx(2.0 - 1.0 / 3)
    assert closed_loop.per_text(SUMMARIZER, 64) == 0.9


def test_every_request_is_served_once_and_unbatched_calls_hold_one_text() -> None:
    rate, calls = closed_loop.simulate("unbatched", SUMMARIZER, TRANSLATOR, requests=32)
    assert calls["S"] == [1] * 32 and calls["T"] == [1] * 32
    assert rate > 0


@pytest.mark.parametrize("rule", closed_loop.RULES)
def test_no_rule_loses_or_repeats_a_text(rule: str) -> None:
    _, calls = closed_loop.simulate(rule, SUMMARIZER, TRANSLATOR, requests=48, clients=16)
    assert sum(calls["S"]) == sum(calls["T"]) == 48


def test_an_even_share_caps_a_call_at_the_texts_in_the_system_over_the_slots() -> None:
    _, calls = closed_loop.simulate("even_share", SUMMARIZER, TRANSLATOR, clients=16, slots=2)
    assert max(calls["S"] + calls["T"]) <= 8
    _, calls = closed_loop.simulate("as_served", SUMMARIZER, TRANSLATOR, clients=16, slots=2)
    assert max(calls["S"]) > 8  # as served, one call may take what both slots could share


def test_translations_of_one_bound_share_calls_only_where_bounds_may_differ() -> None:
    one = {128: 1.0}
    _, calls = closed_loop.simulate("even_share", SUMMARIZER, TRANSLATOR, bounds=one)
    _, mixed = closed_loop.simulate("even_share", SUMMARIZER, TRANSLATOR)
    _, shared = closed_loop.simulate("shared_bounds_longest", SUMMARIZER, TRANSLATOR)
    mean = {
        name: sum(c["T"]) / len(c["T"])
        for name, c in {"one": calls, "mixed": mixed, "shared": shared}.items()
    }
    assert mean["mixed"] < mean["one"] and mean["mixed"] < mean["shared"]


def test_texts_that_end_at_their_own_length_cost_no_more_than_at_the_longest() -> None:
    shares = closed_loop.shares_of_ceiling(SUMMARIZER, TRANSLATOR, seeds=2, requests=48)
    assert shares["shared_bounds_own"][0] >= shares["shared_bounds_longest"][0]
    assert list(shares) == list(closed_loop.RULES)


def test_without_a_batching_gain_batching_buys_nothing() -> None:
    flat = {1: 1.0, 16: 1.0}
    shares = closed_loop.shares_of_ceiling(
        flat, flat, seeds=1, requests=32, slots=1, bounds={112: 1.0}
    )
    assert all(share == pytest.approx(1.0, abs=0.02) for share, _, _ in shares.values())


@pytest.mark.parametrize("field", ["requests", "clients", "slots", "max_batch"])
def test_a_count_under_one_is_refused_not_run_forever(field: str) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        counts: dict[str, Any] = {field: 0}
        closed_loop.simulate("as_served", SUMMARIZER, TRANSLATOR, **counts)


def test_no_costs_are_refused() -> None:
    with pytest.raises(ValueError, match="costs given"):
        closed_loop.simulate("as_served", SUMMARIZER, {})


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--batches", "2,4"], "--batches needs 1"),
        (["--batches", "0,1"], "--batches needs 1"),
        (["--slots", "0"], "must be at least 1"),
        (["--seeds", "0"], "must be at least 1"),
    ],
)
def test_the_command_line_refuses_what_the_model_cannot_run(
    argv: list[str], said: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["closed_loop", *argv])
    with pytest.raises(SystemExit) as stop:
        closed_loop.main()
    assert stop.value.code == 2
    assert said in capsys.readouterr().err
