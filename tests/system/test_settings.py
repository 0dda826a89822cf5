"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from occmaps.settings import cache_from_url, database_from_url, env_bool, env_seconds

REPO = Path(__file__).resolve().parents[2]


def run_settings(
    env: dict, script: str = "import occmaps.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"
) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"} and not k.startswith("DATABASE_")
    }
    return subprocess.run(
        [sys.executable, "-c", script],
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
    assert db["ENGINE"] == "occmaps.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "maps",
        "me",
        "p@ss",
        "db.example",
        "6543",
    )
    assert db["OPTIONS"] == {"sslmode": "require"} | TIMEOUTS
    assert db["DISABLE_SERVER_SIDE_CURSORS"] is True


# What every PostgreSQL connection gets unless DATABASE_URL's query says otherwise.
TIMEOUTS = {
    "connect_timeout": "3",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "10000",
}


def test_database_timeouts_come_from_the_environment_and_the_url_wins(monkeypatch):
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "7")
    assert database_from_url("postgres://db/maps")["OPTIONS"] == TIMEOUTS | {"connect_timeout": "7"}
    url = "postgres://db/maps?connect_timeout=10&tcp_user_timeout=0&options=-c%20search_path%3Dx"
    assert database_from_url(url)["OPTIONS"] == TIMEOUTS | {
        "connect_timeout": "10",
        "tcp_user_timeout": "0",
        "options": "-c search_path=x",
    }


@pytest.mark.parametrize("value", ["soon", "1", "0", "-3", "2.5", "nan"])
def test_a_bad_connect_timeout_is_named(monkeypatch, value):
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", value)
    message = (
        f"DATABASE_CONNECT_TIMEOUT must be a whole number of seconds, at least 2, not '{value}'"
    )
    with pytest.raises(ImproperlyConfigured) as raised:
        database_from_url("postgres://db/maps")
    assert str(raised.value) == message


@pytest.mark.parametrize("value", ["soon", "0", "0.05", "-1", "nan", "inf", "1e999"])
def test_a_bad_statement_timeout_is_named(monkeypatch, value):
    monkeypatch.setenv("OCCMAPS_TEST_SECONDS", value)
    with pytest.raises(ImproperlyConfigured) as raised:
        env_seconds("OCCMAPS_TEST_SECONDS", 2, least=0.1)
    assert str(raised.value) == (
        f"OCCMAPS_TEST_SECONDS must be a number of seconds, at least 0.1, not '{value}'"
    )


def test_the_statement_timeout_setting_reads_seconds_and_refuses_nonsense():
    check = "import occmaps.settings as s; print(s.DATABASE_STATEMENT_TIMEOUT)"
    env = {"SECRET_KEY": "k", "ALLOWED_HOSTS": "a"}
    assert run_settings(env, check).stdout.strip() == "2"
    assert run_settings(env | {"DATABASE_STATEMENT_TIMEOUT": "0.5"}, check).stdout.strip() == (
        "0.5"
    )
    refused = run_settings(env | {"DATABASE_STATEMENT_TIMEOUT": "2s"}, check)
    assert refused.returncode != 0
    assert (
        "DATABASE_STATEMENT_TIMEOUT must be a number of seconds, at least 0.1, not '2s'"
        in refused.stderr
    )


def test_redis_waits_are_bounded():
    assert cache_from_url("redis://cache:6379/0") == {
        "BACKEND": "occmaps.cache.RedisCache",
        "LOCATION": "redis://cache:6379/0",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }


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
