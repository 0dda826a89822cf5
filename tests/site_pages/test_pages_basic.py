"""The home page and the health check."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from occupations.models import Occupation
from tests.factories import make_cluster, make_occupation, make_pathway, make_route

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def test_home_lists_routes_in_sequence_with_counts(client, django_assert_max_num_queries):
    second = make_route(name="Second route", sequence=2)
    first = make_route(name="First route", sequence=1)
    make_route(name="Empty route", sequence=3)
    cluster = make_cluster(pathway=make_pathway(route=second))
    make_occupation(cluster=cluster, status=Occupation.Status.APPROVED)
    make_occupation(cluster=cluster, status=Occupation.Status.POTENTIAL)
    make_occupation(cluster=make_cluster(pathway=make_pathway(route=first)))

    with django_assert_max_num_queries(3):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    routes = list(response.context["routes"])
    assert [r.name for r in routes] == ["First route", "Second route", "Empty route"]
    assert [r.occupation_count for r in routes] == [1, 2, 0]
    assert (routes[1].status_1, routes[1].status_3, routes[1].status_2) == (1, 1, 0)
    html = response.content.decode()
    assert html.index("First route") < html.index("Second route") < html.index("Empty route")


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
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
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
    assert answer == {"status": 503, "body": {"status": "error", "database": "unavailable"}}
