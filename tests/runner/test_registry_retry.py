"""The retry policy: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from plancheck.runner.registry import RegistryError, RetryPolicy
from plancheck.runner.registry.errors import is_retryable_status

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def policy(sleeps: list[float], **options: object) -> RetryPolicy:
    settings: dict[str, object] = {"sleep": sleeps.append, "random": lambda: 0.0, "now": lambda: NOW}
    settings.update(options)
    return RetryPolicy(**settings)  # type: ignore[arg-type]


class Flaky:
    """Fails with the given errors, then returns "done"."""

    def __init__(self, *errors: RegistryError) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def transient(retry_after: str | None = None) -> RegistryError:
    return RegistryError(
        "could not push: Service Unavailable (HTTP 503)", status=503, retryable=True, retry_after=retry_after
    )


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 599])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 408, 409, 413, 416, 501, 505])
def test_other_statuses_are_final(status: int) -> None:
    assert not is_retryable_status(status)


def test_exponential_backoff_is_capped() -> None:
    retry = RetryPolicy(base_delay=0.5, multiplier=2.0, max_delay=3.0, random=lambda: 0.0)
    assert [retry.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_shortens_the_wait_by_at_most_its_fraction() -> None:
    longest = RetryPolicy(base_delay=1.0, jitter=0.5, random=lambda: 0.0)
    shortest = RetryPolicy(base_delay=1.0, jitter=0.5, random=lambda: 0.999999)
    assert longest.backoff(1) == 1.0
    assert 0.5 <= shortest.backoff(1) < 0.5001
    real = RetryPolicy(base_delay=1.0, jitter=0.5)
    assert all(0.5 <= real.backoff(1) <= 1.0 for _ in range(200))


def test_retries_until_success_with_backoff() -> None:
    sleeps: list[float] = []
    operation = Flaky(transient(), transient())
    assert policy(sleeps).call(operation) == "done"
    assert operation.calls == 3
    assert sleeps == [0.5, 1.0]


def test_gives_up_after_the_attempts_and_says_so() -> None:
    sleeps: list[float] = []
    operation = Flaky(*(transient() for _ in range(10)))
    with pytest.raises(RegistryError) as info:
        policy(sleeps, attempts=3).call(operation)
    assert operation.calls == 3
    assert len(sleeps) == 2
    assert str(info.value) == "could not push: Service Unavailable (HTTP 503) (gave up after 3 attempts)"


def test_final_errors_are_not_retried() -> None:
    sleeps: list[float] = []
    operation = Flaky(RegistryError("could not push: MANIFEST_INVALID (HTTP 400)", status=400))
    with pytest.raises(RegistryError) as info:
        policy(sleeps).call(operation)
    assert operation.calls == 1
    assert sleeps == []
    assert "gave up" not in str(info.value)


def test_retry_after_seconds_is_honoured_exactly() -> None:
    sleeps: list[float] = []
    assert policy(sleeps).call(Flaky(transient("7"))) == "done"
    assert sleeps == [7.0]


def test_retry_after_http_date_is_relative_to_the_clock() -> None:
    sleeps: list[float] = []
    when = (NOW + timedelta(seconds=12)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert policy(sleeps).call(Flaky(transient(when))) == "done"
    assert sleeps == [12.0]


def test_retry_after_in_the_past_means_now() -> None:
    retry = policy([])
    assert retry.retry_after((NOW - timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")) == 0.0


def test_unreadable_retry_after_falls_back_to_backoff() -> None:
    sleeps: list[float] = []
    assert policy(sleeps).call(Flaky(transient("soon"))) == "done"
    assert sleeps == [0.5]


def test_too_long_retry_after_ends_the_retries_with_a_reason() -> None:
    sleeps: list[float] = []
    operation = Flaky(transient("3600"))
    with pytest.raises(RegistryError, match="asked to retry after 3600s, more than the 300s limit"):
        policy(sleeps, max_retry_after=300.0).call(operation)
    assert sleeps == []


def test_on_retry_runs_before_each_wait() -> None:
    events: list[str] = []
    retry = RetryPolicy(sleep=lambda seconds: events.append("sleep"), random=lambda: 0.0)
    retry.call(Flaky(transient()), on_retry=lambda error: events.append("cleanup"))
    assert events == ["cleanup", "sleep"]


def test_invalid_policies_are_refused() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=1.5)
