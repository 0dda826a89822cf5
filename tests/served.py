"""The site in processes of its own (gunicorn, a script, a command), on a database of its own.

Such a database is a copy of the test database as its migrations left it (kept once the test
database is made: ``django_db_setup`` in tests/conftest.py), with the rows of a state that
tests/bundled.py prepared (the bundled real data, say) written in: no process has to migrate or
import again. The static files are the ones the test session collected.
"""

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from itertools import count
from pathlib import Path

from django.db import connection, connections

from tests import bundled

REPO = Path(__file__).resolve().parent.parent

#: The test database as migrated: a file (SQLite) or a template database (PostgreSQL).
_migrated: str | None = None
_numbers = count(1)


def _pg_admin():
    """A connection to the server's ``postgres`` database, as the test database's user."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


def _pg_url(name: str) -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def keep_migrated_database(folder: Path) -> None:
    """Keep a copy of the test database as its migrations left it (call it right after)."""
    global _migrated
    if connection.vendor == "sqlite":
        path = folder / "migrated.sqlite3"
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
        _migrated = str(path)
    else:
        name = f"{connection.settings_dict['NAME']}_migrated"
        connections.close_all()  # a template must have no one connected
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{connection.settings_dict["NAME"]}"')
        _migrated = name


def drop_migrated_database() -> None:
    if _migrated and connection.vendor == "postgresql":
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{_migrated}" WITH (FORCE)')


def _write_sqlite(path: str, rows: bundled.State) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        bundled.write_rows(db.cursor(), rows, placeholder="?")


def _write_postgresql(url: str, rows: bundled.State) -> None:
    import psycopg

    with psycopg.connect(url) as db, db.cursor() as cursor:
        bundled.write_rows(cursor, rows)


@contextlib.contextmanager
def database_of_its_own(folder: Path, state: str | None = None) -> Iterator[str]:
    """A new database, migrated, holding ``state`` (a name :func:`tests.bundled.prepare` has
    built in this process) or no data. Yields its ``DATABASE_URL``; dropped afterwards."""
    rows = bundled.prepared_rows(state) if state else None
    if _migrated is None:
        raise RuntimeError("the test database has not been made (use the django_db_setup fixture)")
    if connection.vendor == "sqlite":
        path = folder / f"site-{next(_numbers)}.sqlite3"
        shutil.copyfile(_migrated, path)
        if rows:
            _write_sqlite(str(path), rows)
        yield f"sqlite:///{path}"
        return
    name = f"{_migrated}_{next(_numbers)}"
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_migrated}"')
    try:
        if rows:
            _write_postgresql(_pg_url(name), rows)
        yield _pg_url(name)
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_env(static_root: Path, database_url: str) -> dict:
    """Production settings for a process of the site's own, on ``database_url``."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "occmaps.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root),
        "LOG_FORMAT": "plain",
        # What is cached is what a test asked for: no pages rendered in the background.
        "PAGE_WARMING": "false",
        # A test machine running the suite is slower than a server: these processes are not
        # there to test the database timeouts (tests/system/test_faults.py does).
        "DATABASE_CONNECT_TIMEOUT": "30",
        "DATABASE_STATEMENT_TIMEOUT": "30",
    }
    for name in ("DATABASE_REPLICA_URL", "CACHE_URL", "REDIS_URL"):
        env.pop(name, None)
    return env


def python(script: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``script`` in a Python process of its own, in the repository, with ``env``."""
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if answers(url):
                return
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def gunicorn(env: dict, workers: int = 1, threads: int = 2) -> Iterator[str]:
    """The site under gunicorn with the committed gunicorn.conf.py and ``env``. Yields its base
    URL once it answers."""
    port = free_port()
    env = env | {
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "",
    }
    with subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "occmaps.wsgi"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as server:
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/healthz")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)
