"""A circuit breaker for a service that has just failed to answer (the database, the cache).

Without one, every request would wait out the same timeout in turn, one worker thread each,
for as long as the service is away. With one, after a wait has run out the other requests do
not wait again: for a retry interval they are refused at once, then one request tries again
(the others still refused) and its outcome decides. Each process has its own.
"""

import logging
import threading
from time import monotonic

# After a wait has run out, how long requests are refused at once before one tries again (the
# database's: soon, since no page can do without it).
RETRY_INTERVAL = 2.0


class Breaker:
    """Whether to wait for a service that has just failed to answer: not for a while, then
    one request at a time until it answers again."""

    def __init__(
        self,
        service: str,
        name: str,
        logger: logging.Logger,
        retry_interval: float = RETRY_INTERVAL,
    ):
        self.service = service  # what is logged: "database", "cache"
        self.name = name  # which one: the database's alias, the cache's server
        self.logger = logger
        self.retry_interval = retry_interval
        self.lock = threading.Lock()
        self.refuse_until = 0.0  # 0: the service answers

    def admit(self, longest_wait: float) -> bool:
        if not self.refuse_until:
            return True
        with self.lock:
            now = monotonic()
            if now < self.refuse_until:
                return False
            # This request tries; the others are refused until it knows (at most longest_wait).
            self.refuse_until = now + longest_wait
            return True

    def failed(self, waited: float, error: str = "") -> None:
        with self.lock:
            first = not self.refuse_until
            self.refuse_until = monotonic() + self.retry_interval
        if first:
            extra = {self.service: self.name, "waited_seconds": waited}
            self.logger.error(
                f"{self.service} did not answer", extra=extra | ({"error": error} if error else {})
            )

    def answered(self) -> None:
        if not self.refuse_until:
            return  # the usual case: no lock taken
        with self.lock:
            was_refusing, self.refuse_until = bool(self.refuse_until), 0.0
        if was_refusing:  # one thread logs it
            self.logger.warning(f"{self.service} answers again", extra={self.service: self.name})


_breakers: dict[tuple[str, str], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(
    service: str, name: str, logger: logging.Logger, retry_interval: float = RETRY_INTERVAL
) -> Breaker:
    """The process's one breaker for this service and name (threads share it)."""
    with _breakers_lock:
        key = (service, name)
        if key not in _breakers:
            _breakers[key] = Breaker(service, name, logger, retry_interval)
        return _breakers[key]
