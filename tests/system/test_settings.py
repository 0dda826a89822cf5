"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from occmaps.settings import database_from_url, env_bool

REPO = Path(__file__).resolve().parents[2]


def run_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import occmaps.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"],
        cwd=REPO,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_settings({"ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_settings({"SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_debug_only_when_asked_for():
    assert run_settings({"SECRET_KEY": "k", "ALLOWED_HOSTS": "a"}).stdout.startswith("False")
    assert run_settings({"DEBUG": "true"}).stdout.startswith("True")


def test_database_url_selects_postgresql():
    db = database_from_url("postgres://me:p%40ss@db.example:6543/maps?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "maps",
        "me",
        "p@ss",
        "db.example",
        "6543",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_bad_settings_values_are_named():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must start with"):
        database_from_url("mysql://x/y")
    os.environ["OCCMAPS_TEST_FLAG"] = "maybe"
    try:
        with pytest.raises(ImproperlyConfigured, match="OCCMAPS_TEST_FLAG must be true or false"):
            env_bool("OCCMAPS_TEST_FLAG")
    finally:
        del os.environ["OCCMAPS_TEST_FLAG"]


def test_check_deploy_is_clean_in_production_mode():
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    env = clean | {
        "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "maps.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
