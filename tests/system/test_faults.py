"""Faults: the database going away, an import killed halfway, two imports at once, readers
during an import, and a full export read back into an empty database."""

import concurrent.futures
import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from benchmarks.snapshot import generate
from core import importing
from occmaps.breaker import RETRY_INTERVAL
from occupations.models import LocalEdit, Occupation, Progression
from routes.models import Cluster, Route
from socmapping.models import SocMapping, SubUnitGroupMapping
from tests.bundled import MAP_SOURCES, MAPS, load_bundled, prepared_rows
from tests.conftest import require
from tests.locks import lock_held_elsewhere, lock_held_until_waited_for
from tests.served import database_of_its_own as served_database
from tests.served import gunicorn
from tests.snapshot import data_snapshot
from tests.system.proxy import Proxy

REPO = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("OCCMAPS_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def pg_admin():
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        require(
            "PostgreSQL",
            False,
            f"none answers at {PG_ADMIN_URL} (start one, or set OCCMAPS_TEST_PG_URL)",
        )


@pytest.fixture
def scratch_database(tmp_path, django_db_setup, django_db_blocker):
    """A database of its own for a process of its own (a file on SQLite, a new database on
    PostgreSQL), migrated, with the bundled real maps loaded. Yields its DATABASE_URL."""
    with django_db_blocker.unblock():
        prepared_rows("maps")
    with served_database(tmp_path, "maps") as url:
        yield url


def served_env(env: dict, database_url: str) -> dict:
    """``env`` for gunicorn on ``database_url`` (one worker, so that its threads are all there
    is)."""
    return env | {"DATABASE_URL": database_url, "ALLOWED_HOSTS": "127.0.0.1"}


def base_env() -> dict:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "occmaps.settings",
        "SECRET_KEY": "test",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        # What the session collected (tests/conftest.py).
        "STATIC_ROOT": str(settings.STATIC_ROOT),
        "LOG_FORMAT": "plain",
        # What is cached is what a test asked for: no pages rendered in the background.
        "PAGE_WARMING": "false",
    }


def manage(env, *args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def counts(url: str) -> tuple[int, int, int]:
    """Occupations, progression links and SOC mappings, read in one statement (one snapshot)."""
    sql = (
        "SELECT (SELECT COUNT(*) FROM occupations_occupation),"
        " (SELECT COUNT(*) FROM occupations_progression),"
        " (SELECT COUNT(*) FROM socmapping_socmapping)"
    )
    if url.startswith("sqlite"):
        with sqlite3.connect(urlsplit(url).path[1:], timeout=0.2) as db:
            return tuple(db.execute(sql).fetchone())
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        return tuple(db.execute(sql).fetchone())


def write_has_begun(url: str) -> bool:
    """Is an importer inside its write transaction, with rows written but not committed?"""
    if url.startswith("sqlite"):
        return Path(urlsplit(url).path[1:] + "-journal").exists()
    import psycopg

    sql = (
        "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.relname = 'occupations_occupation' AND l.mode = 'RowExclusiveLock'"
    )
    with psycopg.connect(url, autocommit=True) as db:
        return db.execute(sql).fetchone()[0] > 0


SNAPSHOT_SIZE = 500


@pytest.fixture(scope="module")
def large_snapshot(tmp_path_factory):
    """A synthetic map of SNAPSHOT_SIZE occupations: its import writes for long enough to be
    killed, or read, part-way (the national scale, 1,300, only takes longer)."""
    return generate(tmp_path_factory.mktemp("large"), occupations=SNAPSHOT_SIZE).folder


@pytest.mark.django_db
def test_an_import_killed_halfway_changes_nothing_and_the_next_succeeds(
    scratch_database, large_snapshot, tmp_path
):
    env = base_env() | {"DATABASE_URL": scratch_database}
    before = counts(scratch_database)
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_maps", str(large_snapshot), "-v", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    killed_while_writing = False
    while time.monotonic() < deadline and importer.poll() is None:
        if write_has_begun(scratch_database):
            importer.send_signal(signal.SIGKILL)
            killed_while_writing = True
            break
        time.sleep(0.005)
    importer.wait(timeout=60)
    assert killed_while_writing, "the import finished before it could be killed mid-write"
    assert importer.returncode == -signal.SIGKILL
    assert counts(scratch_database) == before

    result = manage(env, "import_maps", str(large_snapshot), check=False)
    assert result.returncode == 0, result.stderr
    real = {p.stem for p in MAPS.glob("*/OCC*.json")}
    snapshot = {p.stem for p in large_snapshot.rglob("OCC*.json")}
    assert (len(real), len(snapshot)) == (64 + 3, SNAPSHOT_SIZE)
    assert counts(scratch_database)[0] == len(real | snapshot)


@pytest.mark.django_db
def test_readers_during_an_import_see_the_old_or_the_new_map_never_a_mix(
    scratch_database, large_snapshot, tmp_path
):
    env = base_env() | {"DATABASE_URL": scratch_database}
    before = counts(scratch_database)
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_maps", str(large_snapshot)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen = set()
    while importer.poll() is None:
        # SQLite: the writer holds the file for the instant of its commit.
        with contextlib.suppress(sqlite3.OperationalError):
            seen.add(counts(scratch_database))
        time.sleep(0.002)
    assert importer.returncode == 0
    after = counts(scratch_database)
    assert after != before
    assert seen <= {before, after}, seen - {before, after}
    assert before in seen


@pytest.mark.django_db(transaction=True)
def test_a_second_import_refuses_while_one_is_writing(monkeypatch):
    """The lock is held by another connection (PostgreSQL) or another open file (SQLite) for
    longer than an import waits for it."""
    monkeypatch.setattr(importing, "IMPORT_WAIT_SECONDS", 0.3)
    load_bundled()
    before = data_snapshot()
    with lock_held_elsewhere(), pytest.raises(CommandError, match="Another import is running"):
        call_command("import_maps", *map(str, MAP_SOURCES), stdout=io.StringIO())
    assert data_snapshot() == before
    # Once the other import has finished, this one goes through.
    assert "No changes" in call_output("import_maps", *map(str, MAP_SOURCES))


@pytest.mark.django_db
def test_an_import_waits_for_a_staff_edit_being_saved(monkeypatch):
    """A staff edit holds the lock for a moment: an import that starts then waits for it."""
    load_bundled()
    with lock_held_until_waited_for(monkeypatch) as pauses:  # the edit is saved meanwhile
        assert "No changes" in call_output("import_maps", *map(str, MAP_SOURCES))
    assert pauses == [importing.LOCK_POLL_SECONDS]


def call_output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def fetch(url: str) -> dict:
    """Status, Retry-After and whether the page asks to try again."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body, status, retry = response.read().decode(), response.status, None
    except urllib.error.HTTPError as error:
        body, status, retry = error.read().decode(), error.code, error.headers["Retry-After"]
    return {"status": status, "retry": retry, "asks_to_wait": "try again" in body}


@contextlib.contextmanager
def database_of_its_own(tmp_path, name: str):
    """A PostgreSQL database of its own with the bundled maps (whichever database the suite runs
    on). Yields the environment to serve it with (the static files the session collected)."""
    with pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(PG_ADMIN_URL)
    env = base_env() | {"DATABASE_URL": f"{parts.scheme}://{parts.netloc}/{name}"}
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "import_maps", *map(str, MAP_SOURCES), "-v", "0")
        yield env
    finally:
        with pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_database_down_gives_a_friendly_503_and_the_site_recovers_by_itself(tmp_path):
    """gunicorn serving the app through a proxy to PostgreSQL that is cut, then restored. While
    it is cut, what needs the database is a 503 and what was cached is still served."""
    name = f"occmaps_down_{os.getpid()}"
    parts = urlsplit(PG_ADMIN_URL)
    proxy = Proxy((parts.hostname, parts.port or 5432))
    user = parts.username or "postgres"
    try:
        with (
            database_of_its_own(tmp_path, name) as env,
            gunicorn(
                served_env(
                    env, f"postgres://{user}@127.0.0.1:{proxy.port}/{name}?connect_timeout=2"
                )
            ) as base,
        ):
            up = (fetch(f"{base}/"), fetch(f"{base}/healthz")["status"])
            proxy.cut()
            time.sleep(1.2)  # past the data version's refresh: the worker tries again
            down = (fetch(f"{base}/routes/digital/"), fetch(f"{base}/healthz")["status"])
            # A page cached before is still served, under the last version known.
            cached = fetch(f"{base}/")
            proxy.restore()
            again = (fetch(f"{base}/routes/digital/"), fetch(f"{base}/healthz")["status"])
    finally:
        proxy.close()
    assert up == ({"status": 200, "retry": None, "asks_to_wait": False}, 200)
    assert down == ({"status": 503, "retry": "30", "asks_to_wait": True}, 503)
    assert cached == {"status": 200, "retry": None, "asks_to_wait": False}
    assert again == ({"status": 200, "retry": None, "asks_to_wait": False}, 200)


WEB_PROCESS = """
import json, time
import occmaps.wsgi
from django.db import OperationalError, connection

with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    limit = cursor.fetchone()[0]
    started = time.monotonic()
    try:
        cursor.execute("SELECT pg_sleep(5)")
        slow = "finished"
    except OperationalError as error:
        slow = type(error.__cause__).__name__
    took = time.monotonic() - started
    cursor.execute("SELECT 1")
    print(json.dumps([limit, slow, took < 2, cursor.fetchone()[0]]))
"""
COMMAND = (
    "from django.db import connection; c = connection.cursor();"
    " c.execute('SHOW statement_timeout'); print(c.fetchone()[0])"
)


def test_web_processes_have_a_statement_timeout_and_commands_none(tmp_path):
    """A web process (one that loads occmaps.wsgi) asks for DATABASE_STATEMENT_TIMEOUT, or for
    what DATABASE_URL's options say; a slow statement is cancelled by the server and the same
    connection goes on. Management commands (imports) get no statement timeout."""
    pg_admin().close()
    env = base_env() | {
        "DATABASE_URL": PG_ADMIN_URL,
        "DATABASE_STATEMENT_TIMEOUT": "0.25",
    }
    web = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(web.stdout) == ["250ms", "QueryCanceled", True, 1]
    assert manage(env, "shell", "-v", "0", "-c", COMMAND).stdout.strip() == "0"
    url_says = env | {"DATABASE_URL": f"{PG_ADMIN_URL}?options=-c%20statement_timeout%3D5000"}
    own = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS.replace("pg_sleep(5)", "pg_sleep(0.5)")],
        cwd=REPO,
        env=url_says,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(own.stdout) == ["5s", "finished", True, 1]


# What needs the database: these answer 503 while it does not answer. (``/about/`` needs none
# now that the data version is held in memory: it is served as usual.)
STALL_PATHS = ["/", "/healthz", "/api/v1/version"]
# Within this, a request must be answered while the database does not answer.
STALL_BOUND = 5.0


def timed(url: str) -> tuple:
    """Status, Retry-After, content type and seconds taken; status None if no answer in 20 s."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            response.read()
            answer = (response.status, response.headers["Retry-After"], response.headers)
    except urllib.error.HTTPError as error:
        error.read()
        answer = (error.code, error.headers["Retry-After"], error.headers)
    except OSError:
        answer = (None, None, {})
    status, retry, headers = answer
    kind = headers.get("Content-Type", "").split(";")[0]
    return status, retry, kind, round(time.monotonic() - started, 2)


def recovered(base: str, seconds: float = 30) -> float:
    """Seconds until every stall path answers 200 again."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if all(timed(base + path)[0] == 200 for path in STALL_PATHS):
            return round(time.monotonic() - started, 2)
        time.sleep(0.2)
    raise AssertionError(f"not recovered within {seconds} s")


@pytest.mark.django_db
def test_a_database_that_stops_answering_gets_503s_within_seconds_and_recovers(tmp_path):
    """The proxy to PostgreSQL is stopped (SIGSTOP): connections are accepted and what is sent
    is acknowledged by its kernel, but nothing comes back. Every request must still be answered,
    a 503 with Retry-After, within seconds, also several at once (no thread may be held by the
    database), and the site must answer 200 again once the proxy goes on (SIGCONT)."""
    name = f"occmaps_stall_{os.getpid()}"
    parts = urlsplit(PG_ADMIN_URL)
    user = parts.username or "postgres"
    with subprocess.Popen(
        [sys.executable, "-m", "tests.system.proxy", parts.hostname, str(parts.port or 5432)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    ) as proxy:
        try:
            proxy_port = int(proxy.stdout.readline())
            # The timeouts are the settings' defaults: nothing in the URL.
            database_url = f"postgres://{user}@127.0.0.1:{proxy_port}/{name}"
            with (
                database_of_its_own(tmp_path, name) as env,
                gunicorn(served_env(env, database_url)) as base,
            ):
                # The worker holds an open connection through the proxy (CONN_MAX_AGE).
                assert timed(f"{base}/healthz")[0] == 200
                # A page read before the stall is in the page cache.
                assert timed(f"{base}/routes/digital/")[0] == 200
                proxy.send_signal(signal.SIGSTOP)
                try:
                    one_by_one = {path: timed(base + path) for path in STALL_PATHS}
                    cached = timed(f"{base}/routes/digital/")
                    with concurrent.futures.ThreadPoolExecutor(8) as pool:
                        at_once = list(pool.map(timed, [base + p for p in (STALL_PATHS * 3)[:8]]))
                    # Later one request tries again, and has to connect afresh.
                    time.sleep(RETRY_INTERVAL + 0.5)
                    retried = timed(f"{base}/healthz")
                finally:
                    proxy.send_signal(signal.SIGCONT)
                recovery = recovered(base)
        finally:
            proxy.kill()
    print(f"stalled: {one_by_one}; at once: {at_once}; retried: {retried}; recovered: {recovery}")
    expected_kind = {
        "/": "text/html",
        "/healthz": "application/json",
        "/api/v1/version": "application/json",
    }
    for path, (status, retry, kind, seconds) in one_by_one.items():
        assert (path, status, retry, kind) == (path, 503, "30", expected_kind[path])
        assert seconds <= STALL_BOUND, (path, seconds)
    # The cached page is still served, under the last version known.
    assert cached[:3] == (200, None, "text/html") and cached[3] <= STALL_BOUND, cached
    assert [(status, retry) for status, retry, _, _ in at_once] == [(503, "30")] * 8
    assert max(seconds for *_, seconds in at_once) <= STALL_BOUND, at_once
    assert retried[:3] == (503, "30", "application/json")
    assert retried[3] <= STALL_BOUND, retried
    assert recovery <= 10


def natural(model, *fields):
    return sorted(model.objects.values_list(*fields))


def map_picture():
    """The map by natural keys (codes and names), not database ids."""
    return {
        "routes": natural(Route, "api_id", "name", "slug", "sequence"),
        "clusters": natural(
            Cluster, "api_id", "name", "band", "sequence", "row__api_id", "pathway__api_id"
        ),
        "occupations": natural(
            Occupation,
            "code",
            "title",
            "level",
            "status",
            "version",
            "status_date",
            "overview",
            "summary",
            "keywords",
            "cluster__api_id",
            "standard_reference",
        ),
        "job_titles": natural(Occupation, "code", "job_titles__name", "job_titles__is_green"),
        "products": natural(
            Occupation, "code", "product_links__product__code", "product_links__name"
        ),
        "soc": natural(SocMapping, "occupation__code", "soc2010__code", "soc2020__code"),
        "sub_unit_groups": natural(
            SubUnitGroupMapping, "occupation__code", "sub_unit_group__code", "is_primary"
        ),
        "progression": natural(
            Progression,
            "from_occupation__code",
            "to_occupation__code",
            "directed",
            "added_by_staff",
        ),
        "green": natural(Occupation, "code", "green_themes__theme_id"),
        "edits": natural(LocalEdit, "occupation__code", "field", "edited_at"),
    }


@pytest.mark.django_db
def test_the_json_export_read_into_an_empty_database_reproduces_the_map(client, tmp_path):
    load_bundled()
    # Staff edits: a title, a moved occupation, a link of their own.
    first = Occupation.objects.filter(status=1).order_by("code").first()
    linked = set(first.progressions_out.values_list("to_occupation", flat=True)) | set(
        first.progressions_in.values_list("from_occupation", flat=True)
    )
    second = Occupation.objects.exclude(pk__in=[first.pk, *linked]).order_by("code").first()
    first.title = "Edited by staff"
    first.save()
    LocalEdit.record(first, ["title"], None, first.updated_at)
    Progression.objects.create(from_occupation=first, to_occupation=second, added_by_staff=True)
    LocalEdit.record(first, ["progression"], None, first.updated_at)
    original = map_picture()

    response = client.get("/downloads/occupational-maps.json")
    export = tmp_path / "export.json"
    export.write_bytes(response.getvalue())

    for model in (Occupation, Route):
        model.objects.all().delete()
    assert Occupation.objects.count() == 0
    call_command("import_maps", str(export), stdout=io.StringIO())
    assert map_picture() == original
