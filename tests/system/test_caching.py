"""Public pages are cached per data version and revalidated; staff pages never are."""

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from core import dataversion
from core.models import DataVersion
from occmaps import breaker
from occmaps.cache import CACHE_RETRY_INTERVAL
from occmaps.middleware import page_key
from occmaps.routers import ReplicaRouter, public_read
from occmaps.settings import cache_from_url
from occmaps.warming import CHANGED_OCCUPATIONS
from occupations.models import Occupation
from routes.models import Route
from tests.bundled import MAP_SOURCES, prepared_rows
from tests.conftest import require
from tests.served import database_of_its_own as served_database
from tests.served import free_port, python, site_env
from tests.system.proxy import Proxy

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def test_public_pages_carry_validators_and_cdn_friendly_cache_control(client, bundled):
    response = client.get("/routes/digital/")
    version = DataVersion.current()
    assert response["ETag"] == f'"v{version.version}"'
    assert response["Last-Modified"]
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=60" in cache_control
    assert "stale-while-revalidate=300" in cache_control
    assert "Cookie" not in response.get("Vary", "")


def test_a_repeat_is_served_from_the_cache_without_a_query(
    client, bundled, django_assert_num_queries
):
    first = client.get("/routes/digital/")
    with django_assert_num_queries(0):  # the data version is held in memory
        again = client.get("/routes/digital/")
    assert again.content == first.content


def test_revalidation_answers_304_without_rendering(client, bundled, django_assert_num_queries):
    first = client.get("/occupations/")
    with django_assert_num_queries(0):
        response = client.get("/occupations/", headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 304
    assert response["ETag"] == first["ETag"]
    assert response.content == b""
    response = client.get("/occupations/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert response.status_code == 304
    assert client.head("/occupations/", headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_an_import_starts_a_new_version_and_nothing_stale_is_served(client, bundled, tmp_path):
    occupation = Occupation.objects.order_by("code").first()
    first = client.get(occupation.get_absolute_url())
    call_command("import_maps", *map(str, MAP_SOURCES), stdout=io.StringIO())  # the same data
    # still starts a new version
    response = client.get(occupation.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]


def test_an_admin_save_starts_a_new_version(client, bundled):
    occupation = Occupation.objects.order_by("code").first()
    before = client.get(occupation.get_absolute_url())
    staff = User.objects.create_superuser("staff", "s@example.org", "pw-for-tests")
    admin = type(client)()
    admin.force_login(staff)
    url = reverse("admin:routes_route_change", args=[occupation.cluster.pathway.route_id])
    page = admin.get(url)
    assert "no-cache" in page["Cache-Control"] or "private" in page["Cache-Control"]
    from tests.admin_forms import form_data

    response = admin.post(url, form_data(page) | {"name": "Renamed route"})
    assert response.status_code == 302
    after = client.get(occupation.get_absolute_url())
    assert after["ETag"] != before["ETag"]
    assert "Renamed route" in after.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_new_version_warms_the_most_read_pages(client, settings, django_assert_num_queries):
    """The first public request that sees a new data version starts one background thread that
    renders the home page, every route map with a map, the search, downloads and releases pages
    and the pages of the occupations the newest release changed into the cache; then the first
    reader of any of them takes no query. (Committed data: the thread reads through a connection
    of its own.)"""
    from tests.bundled import load_bundled

    load_bundled()
    settings.PAGE_WARMING = True
    dataversion.forget()
    version = dataversion.current().number
    maps = (
        Route.objects.filter(pathways__isnull=False)
        .distinct()
        .order_by("sequence")
        .values_list("slug", flat=True)
    )
    # The bundled data's one release is its first import: every occupation was added; the
    # first CHANGED_OCCUPATIONS of them by code are warmed.
    codes = sorted(Occupation.objects.values_list("code", flat=True))
    assert len(codes) == 67 > CHANGED_OCCUPATIONS == 50
    occupations = [f"/occupations/{code}/" for code in codes[:CHANGED_OCCUPATIONS]]
    expected = [
        "/",
        *(f"/routes/{slug}/" for slug in maps),
        "/occupations/",
        "/downloads/",
        "/changes/",
        *occupations,
    ]
    assert len(expected) == 5 + 3 + 50  # Digital, and the routes of the three sample occupations
    assert all(
        caches["default"].get(page_key(version, "http", "testserver", p)) is None for p in expected
    )
    assert client.get("/about/").status_code == 200
    warming = [thread for thread in threading.enumerate() if thread.name == "occmaps-warm"]
    assert len(warming) == 1
    warming[0].join(timeout=120)
    stored = [
        p for p in expected if caches["default"].get(page_key(version, "http", "testserver", p))
    ]
    assert stored == expected
    last = page_key(version, "http", "testserver", f"/occupations/{codes[-1]}/")
    assert caches["default"].get(last) is None  # past the first 50
    with django_assert_num_queries(0):
        assert client.get("/routes/digital/").status_code == 200
        assert client.get(occupations[0]).status_code == 200
    # The same version is warmed once: another request starts no thread.
    client.get("/about/")
    assert not [t for t in threading.enumerate() if t.name == "occmaps-warm"]


def test_signed_in_staff_get_private_uncached_public_pages(client, bundled):
    staff = User.objects.create_superuser("staff", "s@example.org", "pw-for-tests")
    client.force_login(staff)
    response = client.get("/routes/digital/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "ETag" not in response


def test_health_check_and_admin_are_never_cached_publicly(client):
    assert "public" not in client.get("/healthz")["Cache-Control"]
    assert "public" not in client.get("/admin/login/")["Cache-Control"]


#: The Redis the shared-cache test uses (database 15, keys prefixed, emptied by the test).
REDIS_URL = os.environ.get("OCCMAPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS_PREFIX = {"KEY_PREFIX": "occmaps-test"}
REDIS_CACHE = {"default": cache_from_url(REDIS_URL) | REDIS_PREFIX}
REDIS_MISSING = f"none answers at {REDIS_URL} (install redis-server, or set OCCMAPS_TEST_REDIS_URL)"


def redis_answers() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def test_a_redis_that_does_not_answer_is_given_up_within_seconds():
    """A listening socket that never answers: connections are accepted by the kernel, nothing
    comes back. The cache gives up after its socket timeout instead of holding the request."""
    import redis

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        with override_settings(CACHES={"default": cache_from_url(url)}):
            started = time.monotonic()
            with pytest.raises(redis.exceptions.TimeoutError):
                caches["default"].get("anything")
            waited = time.monotonic() - started
            caches["default"].close()
    assert 1.5 <= waited <= 4, waited


def test_pages_are_shared_through_redis(client, bundled, django_assert_num_queries):
    require("Redis", redis_answers(), REDIS_MISSING)
    with override_settings(CACHES=REDIS_CACHE):
        caches["default"].clear()
        first = client.get("/routes/digital/")
        # Another process (a second machine) finds the page in Redis.
        other = type(client)()
        dataversion.forget()  # as in another process: the version comes from Redis
        with django_assert_num_queries(0):
            again = other.get("/routes/digital/")
        assert again.content == first.content
        version = DataVersion.current().version
        assert caches["default"].get(dataversion.SHARED_KEY)[0] == version
        assert caches["default"].get(page_key(version, "http", "testserver", "/routes/digital/"))
        caches["default"].clear()


def test_a_stalled_redis_costs_one_wait_then_is_skipped_until_it_answers(
    client, bundled, caplog, monkeypatch
):
    """Redis stops answering (a proxy that passes nothing on): the request that meets it first
    waits out the cache's socket timeout once and gets its page, rendered without the cache;
    the requests after it do not wait at all. Once the retry interval has passed (the breaker's
    clock is moved on) and Redis answers again, pages are kept in it and shared again."""
    require("Redis", redis_answers(), REDIS_MISSING)
    parts = urlsplit(REDIS_URL)
    proxy = Proxy((parts.hostname, parts.port or 6379))
    url = f"redis://127.0.0.1:{proxy.port}{parts.path}"
    timeout = cache_from_url(url)["OPTIONS"]["socket_timeout"]
    try:
        with override_settings(CACHES={"default": cache_from_url(url) | REDIS_PREFIX}):
            caches["default"].clear()
            dataversion.forget()
            assert client.get("/routes/digital/").status_code == 200
            version = DataVersion.current().version
            assert caches["default"].get(
                page_key(version, "http", "testserver", "/routes/digital/")
            )

            proxy.stall()
            dataversion.forget()
            started = time.monotonic()
            assert client.get("/routes/digital/").status_code == 200
            assert timeout * 0.9 <= time.monotonic() - started < timeout * 1.75  # one wait
            for path in ("/", "/routes/digital/", "/occupations/OCC0118/", "/soc/2020/"):
                dataversion.forget()  # each request asks Redis for the version again
                started = time.monotonic()
                assert client.get(path).status_code == 200, path
                assert time.monotonic() - started < timeout, path  # no wait for Redis
            stopped = [r for r in caplog.records if r.getMessage() == "cache did not answer"]
            assert len(stopped) == 1

            proxy.resume()
            later = time.monotonic() + CACHE_RETRY_INTERVAL
            monkeypatch.setattr(breaker, "monotonic", lambda: later)
            assert client.get("/occupations/OCC0118/").status_code == 200
            assert [r for r in caplog.records if r.getMessage() == "cache answers again"]
            kept = page_key(version, "http", "testserver", "/occupations/OCC0118/")
            assert caches["default"].get(kept)  # for every machine to find
            caches["default"].clear()
    finally:
        proxy.close()


def test_router_sends_only_public_reads_to_a_replica():
    class WithReplica(ReplicaRouter):
        @staticmethod
        def has_replica():
            return True

    router = WithReplica()
    assert router.db_for_read(Occupation) == "default"
    token = public_read.set(True)
    try:
        assert router.db_for_read(Occupation) == "replica"
        assert router.db_for_write(Occupation) == "default"
        assert ReplicaRouter().db_for_read(Occupation) == "default"  # none configured
    finally:
        public_read.reset(token)
    assert router.allow_migrate("replica", "occupations") is False


@pytest.mark.django_db
def test_public_pages_read_from_the_replica_and_the_admin_from_the_primary(
    tmp_path, django_db_blocker
):
    """A real process with DATABASE_REPLICA_URL set (both names point at one database, with
    the bundled maps)."""
    with django_db_blocker.unblock():
        prepared_rows("maps")
    script = textwrap.dedent(
        """
        import json, django
        django.setup()
        from django.db import connections
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.contrib.auth.models import User
        counts = {}
        client = Client()
        with CaptureQueriesContext(connections["default"]) as primary, \\
                CaptureQueriesContext(connections["replica"]) as replica:
            assert client.get("/routes/digital/").status_code == 200
        counts["public"] = [len(primary), len(replica)]
        staff = User.objects.create_superuser("s", "s@example.org", "pw")
        client.force_login(staff)
        with CaptureQueriesContext(connections["default"]) as primary, \\
                CaptureQueriesContext(connections["replica"]) as replica:
            assert client.get("/admin/occupations/occupation/").status_code == 200
        counts["admin"] = [len(primary), len(replica)]
        print(json.dumps(counts))
        """
    )
    with served_database(tmp_path, "maps") as database:
        env = site_env(settings.STATIC_ROOT, database) | {"DATABASE_REPLICA_URL": database}
        result = python(script, env)
    assert result.returncode == 0, result.stderr[-3000:]
    import json

    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["public"][0] == 0 and counts["public"][1] > 0, counts
    assert counts["admin"][0] > 0 and counts["admin"][1] == 0, counts


# The data version between processes ----------------------------------------------------------


def etag_of(url: str) -> tuple[int, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["ETag"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["ETag"]


BUMP = """
import time, django
django.setup()
from django.db import transaction
from core.models import DataVersion
with transaction.atomic():  # as run_import does, and every admin save
    DataVersion.bump()
print(time.time())  # committed
"""


@pytest.mark.parametrize("shared", ["database", "redis"])
def test_every_worker_serves_a_new_version_within_a_second(tmp_path, shared):
    """Two gunicorn servers on one database; the version is bumped by a third process, with the
    code every import and admin save runs. Each server serves the new version within the
    refresh interval (1 s) plus a request's time; and when the database goes away, each keeps
    serving what it has cached under the last version it knew."""
    database = tmp_path / "maps.sqlite3"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "occmaps.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(settings.STATIC_ROOT),  # what the session collected
        "LOG_FORMAT": "plain",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": "",
    }
    env.pop("CACHE_URL", None)
    env.pop("REDIS_URL", None)
    if shared == "redis":
        require("Redis", redis_answers(), REDIS_MISSING)
        env |= {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"occmaps-test-{os.getpid()}"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=REPO, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "occmaps.wsgi"],
            cwd=REPO,
            env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}/api/v1/routes" for port in ports]
    try:
        for url in urls:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError):
                    if etag_of(url)[0] == 200:
                        break
                time.sleep(0.2)
        before = [etag_of(url) for url in urls]
        assert before == [(200, '"v1"'), (200, '"v1"')]

        bump = subprocess.run(
            [sys.executable, "-c", BUMP],
            cwd=REPO, env=env, check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        committed = float(bump.stdout.strip().splitlines()[-1])
        seen = {}
        while len(seen) < len(urls) and time.time() - committed < 10:
            for url in urls:
                if url not in seen and etag_of(url) == (200, '"v2"'):
                    seen[url] = time.time() - committed
            time.sleep(0.02)
        assert len(seen) == 2, seen
        # The bound is one refresh interval; the rest is a request's own time on a busy machine.
        assert max(seen.values()) < 1.5, seen

        # The database goes away: the cached answers keep being served, under the last version.
        database.rename(tmp_path / "away.sqlite3")
        time.sleep(1.2)  # past the refresh interval: each worker has tried to read it again
        assert [etag_of(url) for url in urls] == [(200, '"v2"'), (200, '"v2"')]
        # Not cached, and it needs the database: the API's 503, asking to come back.
        with pytest.raises(urllib.error.HTTPError) as away:
            urllib.request.urlopen(urls[0] + "/digital", timeout=10)
        assert away.value.code == 503
        assert away.value.headers["Retry-After"] == "30"
        assert json.loads(away.value.read())["status"] == 503
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        if shared == "redis":
            import redis

            store = redis.Redis.from_url(REDIS_URL)
            for key in store.scan_iter(f"{env['CACHE_KEY_PREFIX']}:*"):
                store.delete(key)
