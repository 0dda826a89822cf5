"""The home page and the health check."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from routes.models import Route

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def test_home_lists_routes_in_sequence_with_counts(client, bundled, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    routes = list(response.context["routes"])
    assert [r.name for r in routes] == list(
        Route.objects.order_by("sequence").values_list("name", flat=True)
    )
    assert len(routes) == 15 and routes[0].name == "Agriculture, environmental and animal care"
    counts = {r.name: r.occupation_count for r in routes if r.occupation_count}
    assert counts == {
        "Agriculture, environmental and animal care": 1,
        "Creative and design": 1,
        "Digital": 64,
        "Health and science": 1,
    }
    digital = next(r for r in routes if r.name == "Digital")
    assert (digital.status_1, digital.status_2, digital.status_3, digital.status_4) == (56, 0, 8, 0)
    html = response.content.decode()
    positions = [html.index(f">{r.name}</a>") for r in routes]
    assert positions == sorted(positions)


def test_home_answers_head_and_refuses_post(client):
    assert client.head(reverse("home")).status_code == 200
    assert client.post(reverse("home")).status_code == 405


def test_healthz_reports_a_working_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_a_broken_database_as_503():
    """A real process whose database is a PostgreSQL port where nothing listens."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'retry': r.get('Retry-After'),"
        " 'body': r.json()}))"
    )
    env = os.environ | {
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=2",
        "DJANGO_SETTINGS_MODULE": "occmaps.settings",
        "SECRET_KEY": "test",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {
        "status": 503,
        "retry": "30",
        "body": {"status": "error", "database": "unavailable"},
    }


@pytest.mark.django_db
def test_the_search_page_of_a_site_with_no_occupations_says_so(client):
    """A site just set up (migrated, nothing imported): the search page with no search at all
    answers, with nothing found, rather than failing on a form that was never cleaned."""
    response = client.get("/occupations/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert response.context["help"]["text"] == ""
