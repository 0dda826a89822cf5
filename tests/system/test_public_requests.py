"""The public request path: what the page cache keys on, what it answers before any view or
session runs, and the methods and validators it honours.

Each test reproduces a defect of the first page cache (keyed on the host and the whole address,
bypassed by any session cookie, 304 for any address, CSRF's 403 for a POST) and shows it gone.
"""

import contextlib

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.test.signals import template_rendered

from core.models import DataVersion
from occupations.models import Occupation
from tests.bundled import load_bundled, module_state
from tests.system.test_security import assert_security_headers

pytestmark = pytest.mark.django_db

#: The bundled real data, loaded once for the module (each test is rolled back to it).
bundled = module_state(load_bundled)

ROUTE = "/routes/digital/"
CORS = ("Access-Control-Allow-Origin", "*")


@contextlib.contextmanager
def rendered_templates():
    """The names of the templates rendered meanwhile: empty when nothing was rendered."""
    names = []

    def listener(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(listener)
    try:
        yield names
    finally:
        template_rendered.disconnect(listener)


def page_keys() -> list[str]:
    """The page cache's keys (the local-memory cache the tests run with)."""
    return [key for key in cache._cache if ":occmaps:page:" in key]


# Keys: scheme, host, path and the page's own parameters -------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/routes", "/downloads/occupational-maps.json"])
def test_an_answer_for_forwarded_https_is_not_served_over_plain_http(client, bundled, path):
    """``X-Forwarded-Proto: https`` sent straight to Django makes absolute URLs https (as
    ``SECURE_PROXY_SSL_HEADER`` says); later plain-HTTP readers must not get those. (Both send
    ``Host``, as every browser does.)"""
    https = {"Host": "testserver", "X-Forwarded-Proto": "https"}
    forwarded, forwarded_body = answer(client, path, https)
    assert forwarded.status_code == 200
    assert b'"https://testserver/' in forwarded_body
    assert "Strict-Transport-Security" in forwarded

    plain, plain_body = answer(client, path, {"Host": "testserver"})
    assert plain.status_code == 200
    assert b"https://testserver/" not in plain_body
    assert b'"http://testserver/' in plain_body
    assert "Strict-Transport-Security" not in plain
    # And the other way round: each scheme has its own entry.
    assert answer(client, path, https)[1] == forwarded_body


def answer(client, path: str, headers: dict):
    """The response and its whole body (a download is a file, sent in chunks; the test client
    closes it once read to the end)."""
    response = client.get(path, headers=headers)
    if not response.streaming:
        return response, response.content
    return response, b"".join(response.streaming_content)


def test_unknown_parameters_neither_render_nor_add_entries(
    client, bundled, django_assert_num_queries
):
    first = client.get(ROUTE)
    assert first.status_code == 200
    with rendered_templates() as rendered, django_assert_num_queries(0):
        for junk in ("x=1", "utm_source=mail", "x=2&y=3", "fbclid=abc&x=1", "STATUS=1"):
            response = client.get(f"{ROUTE}?{junk}")
            assert response.status_code == 200, junk
            assert response.content == first.content, junk
    assert rendered == []
    assert len(page_keys()) == 1


def test_the_pages_own_parameters_are_keyed_in_one_order(
    client, bundled, django_assert_num_queries
):
    first = client.get(f"{ROUTE}?status=1&band=3&focus=OCC0118")
    assert first.status_code == 200
    with rendered_templates() as rendered, django_assert_num_queries(0):
        for query in ("band=3&focus=OCC0118&status=1", "focus=OCC0118&x=1&band=3&status=1"):
            assert client.get(f"{ROUTE}?{query}").content == first.content
    assert rendered == []
    assert len(page_keys()) == 1
    # A known parameter is part of the key: another value is another page.
    assert client.get(f"{ROUTE}?status=2").content != first.content
    assert len(page_keys()) == 2


def test_unknown_parameters_are_not_seen_by_the_page(client, bundled):
    """An occupation code alone in the search box goes to its page, whatever else the address
    carries that the search does not know."""
    occupation = Occupation.objects.get(code="OCC0118")
    for query in ("q=OCC0118", "q=OCC0118&utm_source=mail", "utm_campaign=x&q=OCC0118"):
        response = client.get(f"/occupations/?{query}")
        assert response.status_code == 302, query
        assert response["Location"] == occupation.get_absolute_url(), query


def test_api_parameters_come_from_its_schema(client, bundled, django_assert_num_queries):
    first = client.get("/api/v1/occupations?route=digital&level=3")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get("/api/v1/occupations?level=3&junk=1&route=digital")
    assert again.json() == first.json()
    assert again[CORS[0]] == CORS[1]
    # The page links carry the known parameters only.
    assert "junk" not in (again.json()["next"] or "")


# Sessions: only a signed-in user bypasses the cache -------------------------------------------


def test_a_forged_session_cookie_is_served_from_the_cache(
    client, bundled, django_assert_num_queries
):
    first = client.get(ROUTE)
    # Not the shape of a session key: no look-up. The shape of one: one look-up, no session.
    for forged, lookups in (("junk", 0), ("x" * 32, 1)):
        client.cookies[settings.SESSION_COOKIE_NAME] = forged
        with rendered_templates() as rendered, django_assert_num_queries(lookups):
            response = client.get(ROUTE)
        assert response.status_code == 200
        assert response.content == first.content
        assert "public" in response["Cache-Control"]
        assert rendered == []


def test_signed_in_staff_still_bypass_the_cache(client, bundled):
    client.get(ROUTE)
    client.force_login(User.objects.create_superuser("staff", "s@example.org", "pw-for-tests"))
    with rendered_templates() as rendered:
        response = client.get(ROUTE)
    assert response.status_code == 200
    assert rendered  # rendered for them
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert "ETag" not in response


# Methods --------------------------------------------------------------------------------------


def test_other_methods_on_public_pages_are_405_not_a_csrf_403(db):
    """As a browser sends them (CSRF checks on, no token): refused before the CSRF check."""
    browser = Client(enforce_csrf_checks=True)
    for path in ("/", ROUTE, "/occupations/", "/occupations/OCC0118/", "/soc/2020/"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = browser.generic(method, path, secure=True)
            assert response.status_code == 405, f"{method} {path}"
            assert response["Allow"] == "GET, HEAD"
            assert "public" not in response["Cache-Control"]
            assert_security_headers(response, f"{method} {path}")


def test_the_admin_keeps_its_csrf_check(db):
    response = Client(enforce_csrf_checks=True).post(
        "/admin/login/", {"username": "someone", "password": "something"}
    )
    assert response.status_code == 403


def test_the_api_answers_its_own_405_in_json(client):
    response = client.post("/api/v1/routes")
    assert response.status_code == 405
    assert response.json()["status"] == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"


# Validators: a 304 only where a 200 with that ETag would be -----------------------------------


@pytest.mark.parametrize("path", ["/no/such/page/", "/occupations/OCC9999/", "/api/v1/nothing"])
def test_no_304_for_an_address_that_is_not_found(client, bundled, path):
    etag = f'"v{DataVersion.current().version}"'
    client.get("/")  # a page cached under this version
    for validator in ("*", etag, f"W/{etag}"):
        response = client.get(path, headers={"If-None-Match": validator})
        assert response.status_code == 404, validator


@pytest.mark.parametrize(
    "path",
    ["/occupations/?level=99", f"{ROUTE}?status=9", "/occupations/occupations.csv?level=99"],
)
def test_an_invalid_filter_is_a_400_with_or_without_validators(client, bundled, path):
    etag = client.get("/")["ETag"]
    assert client.get(path).status_code == 400
    for validator in ("*", etag):
        assert client.get(path, headers={"If-None-Match": validator}).status_code == 400


def test_a_304_for_a_page_not_yet_cached_runs_the_view(client, bundled):
    etag = client.get("/")["ETag"]
    response = client.get(ROUTE, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert len(page_keys()) == 2  # and the page is kept for the next reader


# The cached answer: no query, every header -----------------------------------------------------


@pytest.mark.parametrize("path", ["/", ROUTE, "/occupations/?q=engineer", "/soc/2020/2126/"])
def test_a_cached_page_costs_no_query_and_keeps_every_header(
    client, bundled, path, django_assert_num_queries
):
    first = client.get(path, secure=True)
    assert first.status_code == 200
    with rendered_templates() as rendered, django_assert_num_queries(0):
        cached = client.get(path, secure=True)
        not_modified = client.get(path, secure=True, headers={"If-None-Match": first["ETag"]})
    assert rendered == []
    assert cached.content == first.content
    assert not_modified.status_code == 304
    for response in (cached, not_modified):
        assert_security_headers(response, path)
        assert response["ETag"] == first["ETag"]
        assert "public" in response["Cache-Control"]


def test_a_cached_api_answer_and_its_304_keep_the_cors_headers(
    client, bundled, django_assert_num_queries
):
    path = "/api/v1/routes/digital"
    first = client.get(path, secure=True)
    with django_assert_num_queries(0):
        cached = client.get(path, secure=True)
        not_modified = client.get(path, secure=True, headers={"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304
    for response in (first, cached, not_modified):
        assert response[CORS[0]] == CORS[1]
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert_security_headers(response, path)
