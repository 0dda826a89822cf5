"""Django's Redis cache, which does not hold every request when Redis stops answering.

Django's own backend waits out its socket timeout (``socket_timeout``, two seconds here) on
every call; a page makes several (the data version, the page itself, then keeping it), so a
stalled Redis would make each request take many seconds. Here the first call that times out
(or cannot connect) raises as usual, and the callers carry on without the cache; for the next
half minute (:data:`CACHE_RETRY_INTERVAL`) every call is answered at once as a
miss (nothing found, nothing kept; ``incr``, which has no miss, raises ``ConnectionError``),
then one call tries Redis again, and so on until it answers.
Pages need no cache, so a visitor waits on a stalled Redis once in that time, in each process.
The breaker logs once when Redis stops answering and once when it answers again.
"""

import functools
import logging
from urllib.parse import urlsplit

from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError, RedisError, TimeoutError

from occmaps.breaker import breaker_for

logger = logging.getLogger("occmaps.cache")

#: After Redis has failed to answer, how long it is skipped before one call tries it again:
#: pages can do without it, so seldom.
CACHE_RETRY_INTERVAL = 30.0

#: What each client call answers while Redis is skipped: a miss. (``get`` answers its default.)
MISSES = {
    "add": False,
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "set_many": None,
    "delete_many": None,
    "clear": False,
}


def server_name(url: str) -> str:
    """A Redis server's host and port (or socket path), without the password a URL may hold."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}" if parts.hostname else parts.path


def guarded(method_name: str):
    method = getattr(django_redis.RedisCacheClient, method_name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        if not self.breaker.admit(self.longest_wait):
            if method_name == "get":
                return args[1] if len(args) > 1 else kwargs.get("default")
            if method_name in MISSES:
                return MISSES[method_name]
            raise ConnectionError(f"Redis at {self.breaker.name} is skipped for a few seconds")
        try:
            result = method(self, *args, **kwargs)
        except (ConnectionError, TimeoutError) as error:
            # Also a wrong password or a full pool (ConnectionError's kinds): unusable all the same.
            self.breaker.failed(self.longest_wait, f"{type(error).__name__}: {error}"[:200])
            raise
        except RedisError:
            self.breaker.answered()  # it answered, with an error of its own (such as READONLY)
            raise
        self.breaker.answered()
        return result

    return call


class BreakerClient(django_redis.RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        # One breaker per Redis server for the whole process (Django makes a client per thread).
        name = ",".join(map(server_name, servers))
        self.breaker = breaker_for("cache", name, logger, CACHE_RETRY_INTERVAL)
        # The longest one call may wait: connecting, then the answer.
        self.longest_wait = float(options.get("socket_connect_timeout") or 0) + float(
            options.get("socket_timeout") or 0
        )


for _name in ("get", "incr", *MISSES):
    setattr(BreakerClient, _name, guarded(_name))


class RedisCache(django_redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with a breaker (the module's doc)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = BreakerClient
