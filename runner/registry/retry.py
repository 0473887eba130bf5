"""When and how long to wait before trying a registry operation again.

Retried: connection errors, 5xx (except 501/505) and 429, with exponential backoff and jitter,
a bounded number of attempts, and ``Retry-After`` honoured exactly (seconds or an HTTP date).
Never retried: any other 4xx, since asking again cannot change the answer. The clock, sleep and
random source are injectable so tests can run without waiting.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Callable, TypeVar

from .errors import RegistryError

T = TypeVar("T")
log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff.

    ``attempts`` counts every try, the first included. The n-th wait is
    ``min(max_delay, base_delay * multiplier**(n-1))`` reduced by up to ``jitter`` of itself at
    random (so concurrent clients spread out). A ``Retry-After`` longer than ``max_retry_after``
    ends the retries with the registry's error rather than blocking a build for that long.
    """

    attempts: int = 5
    base_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 30.0
    jitter: float = 0.5
    max_retry_after: float = 300.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    now: Callable[[], datetime] = field(default=_utc_now, compare=False)
    random: Callable[[], float] = field(default_factory=lambda: random.Random().random, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a retry policy needs at least one attempt")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter is a fraction between 0 and 1")

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based) when no wait was asked for."""
        delay = min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1))
        return delay * (1.0 - self.jitter * self.random())

    def retry_after(self, value: str | None) -> float | None:
        """Seconds a ``Retry-After`` header asks for; None when absent or unreadable."""
        if value is None:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self.now()).total_seconds())

    def delay(self, attempt: int, error: RegistryError) -> float | None:
        """How long to wait before the next attempt, or None when it is time to give up."""
        if not error.retryable or attempt >= self.attempts:
            return None
        asked = self.retry_after(error.retry_after)
        if asked is None:
            return self.backoff(attempt)
        if asked > self.max_retry_after:
            return None
        return asked

    def call(
        self, operation: Callable[[], T], *, on_retry: Callable[[RegistryError], None] | None = None
    ) -> T:
        """Run ``operation`` until it succeeds, raises a final error, or attempts run out.

        ``on_retry`` runs before each wait (an upload uses it to drop its broken session).
        """
        attempt = 1
        while True:
            try:
                return operation()
            except RegistryError as error:
                wait = self.delay(attempt, error)
                if wait is None:
                    error.attempts = attempt
                    asked = self.retry_after(error.retry_after) if error.retryable else None
                    if asked is not None and asked > self.max_retry_after:
                        error.message += (
                            f"; the registry asked to retry after {asked:.0f}s,"
                            f" more than the {self.max_retry_after:.0f}s limit"
                        )
                    raise
                log.info("retrying in %.1fs after: %s", wait, error.message)
                if on_retry is not None:
                    on_retry(error)
                self.sleep(wait)
                attempt += 1


NO_RETRY = RetryPolicy(attempts=1)
