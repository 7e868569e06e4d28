"""The strict environment parsers, and settings that refuse a bad environment at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from campussafety.env import envbool, envchoice, envint, envlist, envstr

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_envbool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_FLAG", value)
    assert envbool("SOME_FLAG", not expected) is expected


def test_envbool_falls_back_to_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert envbool("SOME_FLAG", True) is True
    assert envbool("SOME_FLAG", False) is False


@pytest.mark.parametrize("value", ["maybe", "2", "yess", "t"])
def test_envbool_refuses_anything_else_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("SOME_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match=rf"SOME_FLAG='{value}' is not a boolean"):
        envbool("SOME_FLAG", False)


def test_envint_reads_numbers_and_defaults_when_unset_or_empty(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "42")
    assert envint("SOME_NUMBER", 7) == 42
    monkeypatch.setenv("SOME_NUMBER", " ")
    assert envint("SOME_NUMBER", 7) == 7
    monkeypatch.delenv("SOME_NUMBER")
    assert envint("SOME_NUMBER", 7) == 7
    monkeypatch.setenv("SOME_NUMBER", "0")
    assert envint("SOME_NUMBER", 7, minimum=0) == 0


@pytest.mark.parametrize("value", ["ten", "1.5", "0x10", "3 4"])
def test_envint_refuses_what_is_not_a_whole_number(monkeypatch, value):
    monkeypatch.setenv("SOME_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER=.* is not a whole number"):
        envint("SOME_NUMBER", 7)


def test_envint_refuses_a_number_below_the_minimum(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER=-1 must be at least 0"):
        envint("SOME_NUMBER", 7, minimum=0)


def test_envlist_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("SOME_LIST", " a.example , b.example,,")
    assert envlist("SOME_LIST", ["default"]) == ["a.example", "b.example"]
    monkeypatch.setenv("SOME_LIST", "")
    assert envlist("SOME_LIST", ["default"]) == []
    monkeypatch.delenv("SOME_LIST")
    assert envlist("SOME_LIST", ["default"]) == ["default"]


def test_envchoice_accepts_a_listed_value_and_refuses_others(monkeypatch):
    monkeypatch.delenv("SOME_CHOICE", raising=False)
    assert envchoice("SOME_CHOICE", "info", ("info", "debug")) == "info"
    monkeypatch.setenv("SOME_CHOICE", "debug")
    assert envchoice("SOME_CHOICE", "info", ("info", "debug")) == "debug"
    monkeypatch.setenv("SOME_CHOICE", "loud")
    with pytest.raises(ImproperlyConfigured, match="SOME_CHOICE='loud' must be one of info, debug"):
        envchoice("SOME_CHOICE", "info", ("info", "debug"))


def test_envstr_defaults(monkeypatch):
    monkeypatch.delenv("SOME_TEXT", raising=False)
    assert envstr("SOME_TEXT") == ""
    assert envstr("SOME_TEXT", "x") == "x"


def load_settings(tmp_path, show="settings.DATABASES['default']['ENGINE'], settings.DEBUG", **env):
    """Import the settings in a fresh interpreter with `env` on top of a clean environment.

    The interpreter prints the settings named in `show`.
    """
    clean = {
        key: value
        for key, value in os.environ.items()
        # Whatever the test run itself was configured with must not leak in.
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "DEBUG", "SECRET_", "REQUIRE_", "EMAIL_", "DB_")
        )
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="campussafety.settings",
        VAR_DIR=str(tmp_path / "var"),
        **env,
    )
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({show})",
        ],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_load_with_good_values(tmp_path):
    result = load_settings(
        tmp_path, DEBUG="yes", DATABASE_URL="postgres://user@db.example:5432/campus"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "True"]


def test_settings_refuse_a_bad_debug_naming_it(tmp_path):
    result = load_settings(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.parametrize("url", ["nonsense://db", "postgres://user@host:port/db"])
def test_settings_refuse_a_bad_database_url_naming_it(tmp_path, url):
    result = load_settings(tmp_path, DATABASE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL is not a valid database URL" in result.stderr


def test_settings_refuse_a_bad_number_naming_it(tmp_path):
    result = load_settings(
        tmp_path, DATABASE_URL="postgres://user@db.example/campus", DB_CONN_MAX_AGE="forever"
    )
    assert result.returncode != 0
    assert "DB_CONN_MAX_AGE='forever' is not a whole number" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = load_settings(tmp_path, DEBUG="false", REQUIRE_SECRET_KEY="true")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_sign_in_settings_default_to_a_direct_connection_and_closed_docs(tmp_path):
    show = (
        "settings.NUM_PROXIES, settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.seconds, "
        "settings.REST_KNOX['TOKEN_TTL'].days, settings.API_DOCS_PUBLIC"
    )
    result = load_settings(tmp_path, show=show)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "5", "900", "30", "False"]
    result = load_settings(
        tmp_path,
        show=show,
        NUM_PROXIES="1",
        LOGIN_FAILURE_LIMIT="10",
        LOGIN_LOCKOUT_MINUTES="30",
        API_TOKEN_DAYS="7",
        API_DOCS_PUBLIC="yes",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "10", "1800", "7", "True"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NUM_PROXIES", "one", "NUM_PROXIES='one' is not a whole number"),
        ("NUM_PROXIES", "-1", "NUM_PROXIES=-1 must be at least 0"),
        ("LOGIN_FAILURE_LIMIT", "0", "LOGIN_FAILURE_LIMIT=0 must be at least 1"),
        ("LOGIN_LOCKOUT_MINUTES", "soon", "LOGIN_LOCKOUT_MINUTES='soon' is not a whole number"),
        ("API_TOKEN_DAYS", "0", "API_TOKEN_DAYS=0 must be at least 1"),
        ("API_DOCS_PUBLIC", "maybe", "API_DOCS_PUBLIC='maybe' is not a boolean"),
    ],
)
def test_sign_in_settings_refuse_bad_values_naming_them(tmp_path, name, value, message):
    result = load_settings(tmp_path, **{name: value})
    assert result.returncode != 0
    assert message in result.stderr
