"""Django's PostgreSQL backend, with every wait of a web request bounded in time.

A database that stops answering (its process hangs, or a proxy or the network in between
stalls while the kernel still acknowledges what is sent) is caught by nothing on its own: the
server's ``statement_timeout`` never fires, TCP keepalives and ``tcp_user_timeout`` see every
byte acknowledged, and gunicorn's timeout does not apply to a thread of a ``gthread`` worker.
Every request would wait for ever, one worker thread each, until none is left.

So, in a web process (``occmaps.wsgi`` calls :func:`bound_web_requests`):

- each new connection asks the server for ``statement_timeout = DATABASE_STATEMENT_TIMEOUT``
  (unless the URL's ``options`` set one), so that a slow query ends with a clean error and the
  connection stays usable;
- each wait for the server (a statement, a fetch, a commit) gives up on the client's side
  ``GRACE`` seconds after that: the connection is closed, since its state is unknown, and the
  request gets ``OperationalError``, which the middleware answers with a 503 and Retry-After;
- connecting is bounded by ``connect_timeout`` (``DATABASE_CONNECT_TIMEOUT``);
- once a wait has run out, the other requests do not each wait again: for ``RETRY_INTERVAL``
  seconds they fail at once, then one request tries again (the others still failing at once)
  and its outcome decides (an :class:`occmaps.breaker.Breaker` per database).

Management commands (imports, migrations) are not web processes: they keep the connect timeout
and TCP keepalives but have no statement timeout, since a full import may need long statements.
"""

import logging
import types
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import errors

from occmaps.breaker import Breaker, breaker_for

logger = logging.getLogger("occmaps.database")

# How much longer than the server's statement timeout the client waits for any answer at all.
GRACE = 1.0
# What psycopg raises when ``Connection.wait(timeout=...)`` runs out (psycopg 3.3).
WAIT_TIMEOUT = errors._WaitTimeout


@dataclass(frozen=True)
class WebLimits:
    statement_timeout: float  # seconds

    @property
    def wait(self) -> float:
        return self.statement_timeout + GRACE


# None outside a web process: no bound on waits, no statement timeout.
web_limits: WebLimits | None = None


def bound_web_requests() -> None:
    """Bound every wait of this process on PostgreSQL (a web server's process)."""
    global web_limits
    web_limits = WebLimits(statement_timeout=settings.DATABASE_STATEMENT_TIMEOUT)


def refusal(breaker: Breaker) -> psycopg.OperationalError:
    return psycopg.OperationalError(
        f"database {breaker.name!r} did not answer just now; not waiting for it again yet"
    )


class BoundedConnection(psycopg.Connection):
    """A psycopg connection whose waits for the server end within the web limits, if set."""

    breaker: Breaker | None = None

    def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
        limits, breaker = web_limits, self.breaker
        if limits is None or breaker is None or timeout is not None:
            return super().wait(gen, interval=interval, timeout=timeout)
        if not breaker.admit(limits.wait):
            gen.close()
            raise refusal(breaker)
        try:
            result = super().wait(gen, interval=interval, timeout=limits.wait)
        except WAIT_TIMEOUT:
            # Part of a statement may be on its way: the connection's state is unknown.
            self.close()
            breaker.failed(limits.wait)
            raise psycopg.OperationalError(
                f"database {breaker.name!r} did not answer within {limits.wait:g} s"
            ) from None
        breaker.answered()
        return result


# psycopg as Django's backend uses it, connecting with BoundedConnection.
Database = types.ModuleType("psycopg")
Database.__dict__.update(vars(psycopg))
Database.connect = BoundedConnection.connect


class DatabaseWrapper(base.DatabaseWrapper):
    Database = Database

    def get_connection_params(self):
        params = super().get_connection_params()
        if web_limits is not None:
            options = params.get("options", "")
            if "statement_timeout" not in options:
                milliseconds = round(web_limits.statement_timeout * 1000)
                params["options"] = f"{options} -c statement_timeout={milliseconds}".strip()
        return params

    def get_new_connection(self, conn_params):
        if web_limits is None:
            return super().get_new_connection(conn_params)
        breaker = breaker_for("database", self.alias, logger)
        connect_timeout = float(conn_params.get("connect_timeout") or 0)
        if not breaker.admit(max(connect_timeout, 2) + web_limits.wait):
            raise refusal(breaker)
        try:
            connection = super().get_new_connection(conn_params)
        except errors.ConnectionTimeout:
            breaker.failed(connect_timeout)
            raise
        connection.breaker = breaker
        breaker.answered()
        return connection
