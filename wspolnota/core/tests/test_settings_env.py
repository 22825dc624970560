from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wspolnota.envconfig import (
    ConfigError,
    env_bool,
    env_int,
    parse_database_url,
    parse_email_url,
    parse_redis_url,
)

BASE = Path("/srv/app")
ROOT = Path(__file__).resolve().parents[3]


def test_sqlite_urls_resolve_relative_and_absolute_paths():
    assert (
        parse_database_url("sqlite:///var/db.sqlite3", base_dir=BASE)["NAME"]
        == "/srv/app/var/db.sqlite3"
    )
    assert (
        parse_database_url("sqlite:////tmp/db.sqlite3", base_dir=BASE)["NAME"] == "/tmp/db.sqlite3"
    )
    assert parse_database_url("sqlite:///:memory:", base_dir=BASE)["NAME"] == ":memory:"


def test_postgres_urls_give_every_connection_part():
    config = parse_database_url(
        "postgres://user:p%40ss@db.example:6432/wsp?sslmode=require", base_dir=BASE
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "wsp",
        "user",
        "p@ss",
        "db.example",
        "6432",
    )
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize(
    "url",
    [
        "mysql://x/y",
        "postgres://host:notaport/db",
        "postgres://host/",
        "sqlite://",
        "sqlite://host/db",
        "nonsense",
    ],
)
def test_bad_database_urls_are_refused(url):
    with pytest.raises(ConfigError):
        parse_database_url(url, base_dir=BASE)


def test_bad_scalars_are_refused(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ConfigError, match="X_BOOL"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ConfigError, match="X_INT"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ConfigError, match="at least"):
        env_int("X_INT", 1, minimum=1)


def test_redis_and_email_urls_are_checked():
    assert parse_redis_url("redis://127.0.0.1:6379/0")
    with pytest.raises(ConfigError):
        parse_redis_url("http://127.0.0.1:6379")
    smtp = parse_email_url("smtp://u:p@mail.example:587?tls=1", base_dir=BASE)
    assert (smtp.host, smtp.port, smtp.use_tls, smtp.user) == ("mail.example", 587, True, "u")
    assert parse_email_url("file:///var/mail", base_dir=BASE).file_path == "/var/mail"
    with pytest.raises(ConfigError):
        parse_email_url("smtps://mail.example?tls=1", base_dir=BASE)


def _load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "WSPOLNOTA",
                "SECRET",
                "PESEL",
                "DATABASE",
                "EMAIL",
                "ALLOWED",
                "DEBUG",
                "REDIS",
                "TASKS",
            )
        )
    }
    clean.update(env)
    code = (
        "import json, wspolnota.settings as s;"
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.X_FRAME_OPTIONS, s.SECURE_HSTS_SECONDS > 0]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=clean,
        check=False,
    )


def test_production_refuses_to_start_without_secrets():
    result = _load_settings({"WSPOLNOTA_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_defaults_are_safe():
    result = _load_settings(
        {
            "WSPOLNOTA_ENV": "production",
            "SECRET_KEY": "s" * 50,
            "PESEL_HASH_KEY": "k" * 32,
            "ALLOWED_HOSTS": "wspolnota.krakow.pl",
            "EMAIL_URL": "smtp://mail.krakow.pl:587?tls=1",
            "DATABASE_URL": "postgres://wsp@127.0.0.1/wsp",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[false, true, true, "DENY", true]'


def test_debug_is_refused_in_production():
    result = _load_settings(
        {
            "WSPOLNOTA_ENV": "production",
            "DEBUG": "1",
            "SECRET_KEY": "s" * 50,
            "PESEL_HASH_KEY": "k" * 32,
        }
    )
    assert result.returncode != 0
    assert "DEBUG=1 is refused" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_refuse_framing(client, krakow):
    response = client.get("/pl/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
