"""Security: response headers, cookies, methods, the admin's login and lockout, and failures that
are logged and never shown."""

import io
import json
import logging
import re
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from occmaps.logs import RequestFields
from tests.bundled import load_bundled
from tests.failing_urls import SECRET_DETAIL
from tests.html import inline_code
from tests.served import database_of_its_own, python, site_env

REPO = Path(__file__).resolve().parents[2]
ONE_YEAR = 31_536_000
#: Signing in many times is slow with the real password hasher, and the hasher is not on trial.
FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])

#: Every kind of public page, on the bundled real data (the 404 last).
HTML_PAGES = {
    "home": "/",
    "route map": "/routes/digital/",
    "route map, filtered": "/routes/digital/?status=1&band=3",
    "occupation": "/occupations/OCC0118/",
    "search": "/occupations/?q=engineer&level=6",
    "SOC index": "/soc/",
    "SOC hierarchy": "/soc/2020/",
    "SOC unit group": "/soc/2020/2126/",
    "SOC sub-unit group": "/soc/2020/2126/99/",
    "downloads": "/downloads/",
    "about": "/about/",
    "bad filter (400)": "/occupations/?level=99",
    "not found (404)": "/no-such-page/",
}
FILES = {
    "search as CSV": "/occupations/occupations.csv?q=engineer",
    "search as JSON": "/occupations/occupations.json?q=engineer",
    "SOC 2010 mapping": "/downloads/soc2010-mapping.csv",
    "SOC 2020 mapping": "/downloads/soc2020-sub-unit-group-mapping.csv",
    "whole map": "/downloads/occupational-maps.json",
    "health check": "/healthz",
}
#: The public URLs that exist (the 404 answers 404 to every method, as it should).
PUBLIC_URLS = {name: url for name, url in (HTML_PAGES | FILES).items() if "(404)" not in name}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, url):
    hsts = [part.strip() for part in response["Strict-Transport-Security"].split(";")]
    assert hsts == [f"max-age={ONE_YEAR}", "includeSubDomains", "preload"], url

    csp = response["Content-Security-Policy"]
    directives = csp_directives(csp)
    assert directives["default-src"] == ["'self'"], url
    assert directives["script-src"] == ["'self'"], url
    assert directives["style-src"] == ["'self'"], url
    assert directives["object-src"] == ["'none'"], url
    assert directives["frame-ancestors"] == ["'none'"], url
    assert directives["base-uri"] == ["'self'"], url
    assert directives["form-action"] == ["'self'"], url
    assert "unsafe-inline" not in csp, url
    assert "unsafe-eval" not in csp, url
    assert "*" not in csp, url

    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
    assert response["X-Frame-Options"] == "DENY", url

    features = dict(
        part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "geolocation", "microphone", "payment", "usb"):
        assert features.get(feature) == "()", f"{url}: {feature}"


class Headers(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_bundled()

    def test_every_public_page_sends_the_security_headers(self):
        for name, url in HTML_PAGES.items() | FILES.items():
            with self.subTest(name):
                response = self.client.get(url, secure=True)
                if response.streaming:  # a file download: read to the end, which closes it
                    b"".join(response.streaming_content)
                self.assertLess(response.status_code, 500, url)
                self.assert_security_headers(response, url)

    def test_html_pages_hold_nothing_inline_that_the_policy_would_block(self):
        for name, url in HTML_PAGES.items():
            with self.subTest(name):
                response = self.client.get(url, secure=True)
                self.assertTrue(response["Content-Type"].startswith("text/html"), url)
                self.assertEqual(inline_code(response.content.decode()), [], url)

    def test_error_pages_send_the_headers_too(self):
        with self.subTest("405"):
            response = self.client.post("/about/", secure=True)
            self.assertEqual(response.status_code, 405)
            self.assert_security_headers(response, "/about/ (POST)")

    def test_hsts_only_over_https(self):
        """Browsers ignore HSTS over plain HTTP, and Django (rightly) sends it only over HTTPS."""
        self.assertNotIn("Strict-Transport-Security", self.client.get("/"))
        self.assertIn("Strict-Transport-Security", self.client.get("/", secure=True))

    def assert_security_headers(self, response, url):
        assert_security_headers(response, url)


@FAST_HASHER
class Cookies(TestCase):
    @classmethod
    def setUpTestData(cls):
        User.objects.create_superuser("boss", "boss@example.org", "a-good-password-for-tests")

    def test_session_and_csrf_cookies_are_secure_and_hidden_from_scripts(self):
        login = reverse("admin:login")
        page = self.client.get(login, secure=True)
        self.assertEqual(page.status_code, 200)
        csrf = page.cookies[settings.CSRF_COOKIE_NAME]
        self.assertTrue(csrf["secure"])
        self.assertTrue(csrf["httponly"])
        self.assertEqual(csrf["samesite"], "Lax")

        response = self.client.post(
            login,
            {
                "username": "boss",
                "password": "a-good-password-for-tests",
                "csrfmiddlewaretoken": csrf.value,
                "next": reverse("admin:index"),
            },
            secure=True,
        )
        self.assertRedirects(response, reverse("admin:index"), fetch_redirect_response=False)
        session = response.cookies[settings.SESSION_COOKIE_NAME]
        self.assertTrue(session["secure"])
        self.assertTrue(session["httponly"])
        self.assertEqual(session["samesite"], "Lax")


class Methods(TestCase):
    """Public views answer GET and HEAD only.

    ``require_safe`` refuses every other method with 405 and ``Allow: GET, HEAD`` -- OPTIONS
    included (function views have no OPTIONS handler; the site has no CORS to advertise). TRACE
    is refused the same way.
    """

    @classmethod
    def setUpTestData(cls):
        load_bundled()

    def test_public_urls_refuse_every_other_method(self):
        for name, url in PUBLIC_URLS.items():
            for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"):
                with self.subTest(f"{method} {name}"):
                    response = self.client.generic(method, url, secure=True)
                    self.assertEqual(response.status_code, 405, f"{method} {url}")
                    self.assertEqual(response["Allow"], "GET, HEAD")
                    self.assertNotIn("public", response["Cache-Control"])

    def test_public_urls_answer_head_with_no_body(self):
        for name, url in PUBLIC_URLS.items():
            with self.subTest(name):
                response = self.client.head(url)
                self.assertIn(response.status_code, {200, 400}, url)
                self.assertEqual(b"".join(response), b"")

    def test_a_post_without_a_token_is_refused_before_the_view(self):
        """With CSRF checks on (as in a browser), a cross-site POST never reaches a view: it is
        refused for its method (405), before the CSRF check would refuse it (403)."""
        response = Client(enforce_csrf_checks=True).post("/occupations/", {"q": "x"})
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Allow"], "GET, HEAD")


@FAST_HASHER
class AdminAccess(TestCase):
    @classmethod
    def setUpTestData(cls):
        User.objects.create_superuser("boss", "boss@example.org", "a-good-password-for-tests")

    def test_the_admin_needs_a_login(self):
        for url in (reverse("admin:index"), reverse("data_quality"), "/admin/auth/user/"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("admin:login")))

    def test_the_admin_login_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        login = reverse("admin:login")
        credentials = {"username": "boss", "password": "a-good-password-for-tests"}
        response = client.post(login, credentials)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(settings.SESSION_COOKIE_NAME, response.cookies)
        # With the form's token (and its cookie) the same login succeeds.
        token = client.get(login).cookies[settings.CSRF_COOKIE_NAME].value
        response = client.post(login, credentials | {"csrfmiddlewaretoken": token})
        self.assertEqual(response.status_code, 302)


@FAST_HASHER
class Lockout(TestCase):
    """django-axes: AXES_FAILURE_LIMIT failures for one user name from one address lock that
    pair out, even for the right password, until the cool-off ends or staff reset it."""

    password = "a-good-password-for-tests"

    @classmethod
    def setUpTestData(cls):
        User.objects.create_superuser("boss", "boss@example.org", cls.password)
        User.objects.create_superuser("other", "other@example.org", cls.password)

    def sign_in(self, username, password):
        login = reverse("admin:login")
        token = self.client.get(login).cookies[settings.CSRF_COOKIE_NAME].value
        return self.client.post(
            login,
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token,
                "next": reverse("admin:index"),
            },
        )

    def assert_locked_out(self, response):
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many failed sign-in attempts", status_code=429)
        self.assertNotIn(settings.SESSION_COOKIE_NAME, response.cookies)

    def assert_signed_in(self, response):
        self.assertRedirects(response, reverse("admin:index"), fetch_redirect_response=False)
        self.assertIn(settings.SESSION_COOKIE_NAME, response.cookies)

    def test_lockout_after_the_failure_limit(self):
        limit = settings.AXES_FAILURE_LIMIT
        self.assertEqual(limit, 5)
        for attempt in range(1, limit):
            with self.subTest(attempt=attempt):
                response = self.sign_in("boss", "wrong password")
                self.assertEqual(response.status_code, 200)  # the form again, with its error
                self.assertContains(response, "Please enter the correct username and password")
        # The failure that reaches the limit is answered with the lockout page itself...
        self.assert_locked_out(self.sign_in("boss", "wrong password"))
        # ...and so is the next try, even with the right password.
        self.assert_locked_out(self.sign_in("boss", self.password))
        self.assertNotIn("_auth_user_id", self.client.session)

        # Another user name from the same address is not locked.
        self.client.logout()
        self.assert_signed_in(self.sign_in("other", self.password))
        self.client.logout()

        # Staff clear the lockout; the right password works again.
        call_command("axes_reset", stdout=io.StringIO())
        self.assert_signed_in(self.sign_in("boss", self.password))

    def test_a_success_before_the_limit_starts_the_count_again(self):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.sign_in("boss", "wrong password")
        self.assert_signed_in(self.sign_in("boss", self.password))
        self.client.logout()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertEqual(self.sign_in("boss", "wrong password").status_code, 200)


@pytest.mark.django_db
def test_the_admin_moves_with_admin_url(tmp_path, collected_static):
    """A real process with ``ADMIN_URL=staff-only/``: the admin is there and not at /admin/."""
    script = textwrap.dedent(
        """
        import json, django
        django.setup()
        from django.test import Client
        urls = ["/staff-only/login/", "/staff-only/", "/staff-only/data-quality/",
                "/admin/login/", "/admin/"]
        answers = {}
        for url in urls:
            response = Client().get(url)
            answers[url] = [response.status_code, response.get("Location", "")]
        print(json.dumps(answers))
        """
    )
    with database_of_its_own(tmp_path) as database:  # migrated, no data
        result = python(script, site_env(collected_static, database) | {"ADMIN_URL": "staff-only/"})
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["/staff-only/login/"][0] == 200
    assert answers["/staff-only/"] == [302, "/staff-only/login/?next=/staff-only/"]
    assert answers["/staff-only/data-quality/"][0] == 302
    assert answers["/admin/login/"][0] == 404
    assert answers["/admin/"][0] == 404


class CapturedLog:
    """Sends the configured console handler (JSON formatter and request fields) to a buffer."""

    def __enter__(self):
        handlers = [
            h
            for h in logging.getLogger().handlers
            if any(isinstance(f, RequestFields) for f in h.filters)
        ]
        assert len(handlers) == 1, "the LOGGING setting's console handler is on the root logger"
        self.handler = handlers[0]
        self.buffer = io.StringIO()
        self.stream = self.handler.setStream(self.buffer)
        return self

    def __exit__(self, *exc):
        self.handler.setStream(self.stream)

    def records(self, logger: str) -> list[dict]:
        lines = [json.loads(line) for line in self.buffer.getvalue().splitlines() if line]
        return [line for line in lines if line.get("logger") == logger]


@override_settings(ROOT_URLCONF="tests.failing_urls")
class Failures(TestCase):
    """With DEBUG off (as in tests and production), a failure shows the friendly page only."""

    def test_an_exception_answers_the_friendly_500_and_is_logged_as_json(self):
        self.assertFalse(settings.DEBUG)
        self.client.raise_request_exception = False
        with CapturedLog() as log:
            response = self.client.get("/broken/?q=x")
        self.assertEqual(response.status_code, 500)
        html = response.content.decode()
        self.assertIn("Sorry, there is a problem with the service", html)
        for leak in ("Traceback", SECRET_DETAIL, "RuntimeError", "failing_urls", str(REPO), ".py"):
            self.assertNotIn(leak, html)
        self.assertEqual(inline_code(html), [])
        # Nobody keeps a failure: not the page cache, not a browser, not a CDN.
        self.assertIn("no-store", response["Cache-Control"])
        self.assertNotIn("public", response["Cache-Control"])
        self.assertNotIn("ETag", response)
        self.assertEqual(self.client.get("/broken/?q=x").status_code, 500)  # not from a cache

        [line] = log.records("django.request")
        self.assertEqual(line["level"], "ERROR")
        self.assertEqual(line["path"], "/broken/")
        self.assertEqual(line["request"], "GET /broken/")
        self.assertEqual(line["status"], 500)
        self.assertEqual(line["status_code"], 500)
        self.assertIn("time", line)
        # The traceback and the message are in the log, for us.
        self.assertIn(SECRET_DETAIL, line["exc_info"])
        self.assertIn("Traceback", line["exc_info"])

    def test_a_404_is_logged_as_a_warning_with_its_path(self):
        with CapturedLog() as log:
            response = self.client.get("/no-such-page/?utm=1")
        self.assertEqual(response.status_code, 404)
        [line] = log.records("django.request")
        self.assertEqual(line["level"], "WARNING")
        self.assertEqual(line["path"], "/no-such-page/")
        self.assertEqual(line["status"], 404)
        self.assertTrue(re.fullmatch(r"Not Found: /no-such-page/", line["message"]))
