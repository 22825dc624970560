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


_OURS = (
    "WSPOLNOTA",
    "DJANGO_SETTINGS",
    "SECRET",
    "PESEL",
    "DATABASE",
    "EMAIL",
    "ALLOWED",
    "DEBUG",
    "REDIS",
    "TASKS",
    "SMS",
    "VOICE",
    "RATE_LIMIT",
    "LOGIN_",
    "TRUSTED_PROXY",
    "BEHIND_PROXY",
    "COMMUNICATION",
    "MONITORING",
    "ALLOW_",
    "AUDIT_",
    "SITE_URL",
    "CSRF_",
    "DEFAULT_FROM",
    "MAP_TILE",
    "ACCESSIBILITY_",
)
_SETTINGS_SUMMARY = (
    "import json, wspolnota.settings as s;"
    "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.X_FRAME_OPTIONS, s.SECURE_HSTS_SECONDS > 0]))"
)
# What a production process does first: settings, then every app's start-up check.
_START = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'wspolnota.settings';"
    "django.setup(); print('started')"
)
PRODUCTION = {
    "WSPOLNOTA_ENV": "production",
    "SECRET_KEY": "s" * 50,
    "PESEL_HASH_KEY": "k" * 32,
    "ALLOWED_HOSTS": "wspolnota.krakow.pl",
    "EMAIL_URL": "smtp://mail.krakow.pl:587?tls=1",
    "DATABASE_URL": "postgres://wsp@127.0.0.1/wsp",
    "SMS_BACKEND": "smsapi",
    "SMSAPI_TOKEN": "token-from-the-smsapi-panel",
    "SMSAPI_CALLBACK_SECRET": "c" * 32,
    "VOICE_FILE_PATH": "/var/spool/wspolnota/voice-calls.log",
    # the public half of the key that signs the audit log's checkpoints (docs/audit.md)
    "AUDIT_CHECKPOINT_PUBLIC_KEY": "foPiLaGBaKkOqc5Kv9QMt41h/j6WHVBbsH38jKjfE+w=",
    "SITE_URL": "https://wspolnota.krakow.pl",
}


def _load_settings(
    env: dict[str, str], code: str = _SETTINGS_SUMMARY
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    clean.update(env)
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
    result = _load_settings(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[false, true, true, "DENY", true]'
    started = _load_settings(PRODUCTION, _START)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "started"


@pytest.mark.parametrize(
    "name",
    [
        "RATE_LIMIT_SIGNUP",
        "RATE_LIMIT_LOGIN_PER_IP",
        "RATE_LIMIT_SMS_CODE",
        "RATE_LIMIT_SENSITIVE",
        "RATE_LIMIT_SMS_PER_ADDRESS",
        "RATE_LIMIT_PASSWORD_RESET",
    ],
)
def test_a_malformed_rate_limit_stops_the_start_and_names_the_variable(name):
    result = _load_settings({**PRODUCTION, name: "banana"})
    assert result.returncode != 0
    assert f"{name} must look like 5/m" in result.stderr


@pytest.mark.parametrize("value", ["5/0m", "0/m", "5", "5/2w"])
def test_rates_the_limiter_would_misread_are_refused(value):
    result = _load_settings({**PRODUCTION, "RATE_LIMIT_SIGNUP": value})
    assert result.returncode != 0
    assert "RATE_LIMIT_SIGNUP must look like 5/m" in result.stderr


def test_the_retired_log_in_rate_is_refused_rather_than_silently_ignored():
    result = _load_settings({**PRODUCTION, "RATE_LIMIT_LOGIN": "5/m"})
    assert result.returncode != 0
    assert "RATE_LIMIT_LOGIN is no longer used" in result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # the finding: production quietly wrote every SMS to a file
        ({"SMS_BACKEND": "", "SMSAPI_TOKEN": ""}, "SMSAPI_TOKEN must be set"),
        ({"SMS_BACKEND": "file"}, "SMS_BACKEND=file is refused in production"),
        ({"SMS_BACKEND": "memory"}, "SMS_BACKEND=memory is refused in production"),
        ({"SMSAPI_TOKEN": ""}, "SMSAPI_TOKEN must be set"),
        ({"SMSAPI_CALLBACK_SECRET": ""}, "SMSAPI_CALLBACK_SECRET must be set"),
        ({"EMAIL_URL": "file:///var/mail"}, "EMAIL_URL must be smtp:// or smtps://"),
        ({"EMAIL_URL": "console://"}, "EMAIL_URL must be smtp:// or smtps://"),
        ({"VOICE_BACKEND": "memory"}, "VOICE_BACKEND=memory is refused in production"),
        ({"VOICE_FILE_PATH": ""}, "VOICE_FILE_PATH must be set in production"),
        ({"TRUSTED_PROXY_COUNT": "two"}, "TRUSTED_PROXY_COUNT must be a whole number"),
        ({"SMS_ALLOWED_COUNTRIES": "PL,XX"}, "SMS_ALLOWED_COUNTRIES has unknown country codes: XX"),
        ({"SMS_DAILY_LIMIT_PER_NUMBER": "0"}, "SMS_DAILY_LIMIT_PER_NUMBER must be at least 1"),
        ({"LOGIN_DELAY_SECONDS": "soon"}, "LOGIN_DELAY_SECONDS must be a whole number"),
    ],
)
def test_production_refuses_settings_that_would_fail_later_or_deliver_nothing(change, message):
    result = _load_settings({**PRODUCTION, **change})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"AUDIT_CHECKPOINT_PUBLIC_KEY": ""},
            "AUDIT_CHECKPOINT_PUBLIC_KEY must be set in production",
        ),
        (
            {"AUDIT_CHECKPOINT_PUBLIC_KEY": "not-a-key"},
            "AUDIT_CHECKPOINT_PUBLIC_KEY must be the base64",
        ),
        (
            {"AUDIT_CHECKPOINT_KEY_FILE": "/nonexistent/audit.pem"},
            "AUDIT_CHECKPOINT_KEY_FILE=/nonexistent/audit.pem cannot be read",
        ),
        (
            {"AUDIT_CHECKPOINT_EMAILS": "rio@krakow.pl,nobody"},
            "AUDIT_CHECKPOINT_EMAILS has addresses",
        ),
    ],
)
def test_production_refuses_to_run_without_a_way_to_check_the_audit_log(change, message):
    result = _load_settings({**PRODUCTION, **change})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_signing_key_must_be_the_one_the_auditors_check_with(tmp_path):
    key_file = tmp_path / "audit.pem"
    keygen = _load_settings(
        {"WSPOLNOTA_ENV": "test"},
        "from wspolnota.core.audit_anchor import generate_private_key_pem as g;"
        f"open({str(key_file)!r}, 'wb').write(g()[0])",
    )
    assert keygen.returncode == 0, keygen.stderr
    result = _load_settings({**PRODUCTION, "AUDIT_CHECKPOINT_KEY_FILE": str(key_file)})
    assert result.returncode != 0
    assert "AUDIT_CHECKPOINT_KEY_FILE holds another key than AUDIT_CHECKPOINT_PUBLIC_KEY" in (
        result.stderr
    )
    alone = _load_settings(
        {
            **PRODUCTION,
            "AUDIT_CHECKPOINT_PUBLIC_KEY": "",
            "AUDIT_CHECKPOINT_KEY_FILE": str(key_file),
        }
    )
    assert alone.returncode == 0, alone.stderr


def test_the_demo_makes_its_own_checkpoint_key(tmp_path):
    result = _load_settings(
        {"WSPOLNOTA_ENV": "demo", "WSPOLNOTA_VAR_DIR": str(tmp_path)},
        "import wspolnota.settings as s; print(s.AUDIT_CHECKPOINT_KEY_FILE)",
    )
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / ".audit_checkpoint_key.pem"
    assert result.stdout.strip() == str(key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # the accessibility page parsed these on every request: a bad date was a 500 there
        (
            {"ACCESSIBILITY_STATEMENT_PUBLISHED": "31.03.2026"},
            "ACCESSIBILITY_STATEMENT_PUBLISHED must be a date like 2026-03-31",
        ),
        (
            {"ACCESSIBILITY_STATEMENT_UPDATED": "soon"},
            "ACCESSIBILITY_STATEMENT_UPDATED must be a date like 2026-03-31",
        ),
        # the gateway's test mode accepts every SMS and delivers none
        ({"SMSAPI_TEST": "1"}, "SMSAPI_TEST=1 is refused in production"),
        ({"SMSAPI_TEST": "perhaps"}, "SMSAPI_TEST must be one of"),
        ({"SMSAPI_TIMEOUT": "0"}, "SMSAPI_TIMEOUT must be"),
        # links in every e-mail and SMS are built from it
        ({"SITE_URL": ""}, "SITE_URL must be set"),
        ({"SITE_URL": "wspolnota.krakow.pl"}, "SITE_URL must be an https:// address"),
        ({"SITE_URL": "http://wspolnota.krakow.pl"}, "SITE_URL must be an https:// address"),
        # Django only warns about these in `manage.py check`; the web process would refuse POSTs
        (
            {"CSRF_TRUSTED_ORIGINS": "wspolnota.krakow.pl"},
            "CSRF_TRUSTED_ORIGINS must list addresses with a scheme",
        ),
        (
            {"DEFAULT_FROM_EMAIL": "Wspólnota Kraków"},
            "DEFAULT_FROM_EMAIL must be an e-mail address",
        ),
        (
            {"MAP_TILE_URL": "tile.openstreetmap.org"},
            "MAP_TILE_URL must be an https:// tile address",
        ),
    ],
)
def test_values_that_would_fail_on_a_later_request_stop_the_start(change, message):
    result = _load_settings({**PRODUCTION, **change})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_gateways_test_mode_is_allowed_where_nothing_is_meant_to_be_delivered():
    result = _load_settings(
        {
            **PRODUCTION,
            "SITE_URL": "https://wspolnota.krakow.pl",
            "SMSAPI_TEST": "1",
            "ALLOW_UNDELIVERED_MESSAGES": "1",
        },
        _START,
    )
    assert result.returncode == 0, result.stderr


def test_production_sends_sms_through_the_gateway_unless_told_otherwise():
    result = _load_settings(
        {**PRODUCTION, "SMS_BACKEND": ""}, "import wspolnota.settings as s; print(s.SMS_BACKEND)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "smsapi"


def test_a_benchmark_on_production_settings_may_say_that_nothing_is_delivered():
    result = _load_settings(
        {
            **PRODUCTION,
            "ALLOW_UNDELIVERED_MESSAGES": "1",
            "SMS_BACKEND": "memory",
            "EMAIL_URL": "console://",
            "VOICE_FILE_PATH": "",
        },
        _START,
    )
    assert result.returncode == 0, result.stderr


def test_smsapi_without_a_token_stops_the_demo_too(tmp_path):
    result = _load_settings(
        {"WSPOLNOTA_ENV": "demo", "WSPOLNOTA_VAR_DIR": str(tmp_path), "SMS_BACKEND": "smsapi"}
    )
    assert result.returncode != 0
    assert "SMSAPI_TOKEN must be set" in result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"COMMUNICATION_QUIET_START": "late"}, "COMMUNICATION_QUIET_START must look like 21:00"),
        ({"COMMUNICATION_MAX_ATTEMPTS": "many"}, "COMMUNICATION_MAX_ATTEMPTS must be a whole"),
        ({"SMS_PRICE_PER_SEGMENT": "cheap"}, "SMS_PRICE_PER_SEGMENT must be a decimal"),
        ({"COMMUNICATION_DELIVERY_PARALLEL": "x"}, "COMMUNICATION_DELIVERY_PARALLEL must be"),
        ({"SMSAPI_TIMEOUT": "soon"}, "SMSAPI_TIMEOUT must be a number"),
        ({"SMSAPI_URL": "ftp://api.smsapi.pl/"}, "SMSAPI_URL must be an https:// address"),
        ({"MONITORING_TREND_WINDOW": "1"}, "MONITORING_TREND_WINDOW must be at least 2"),
        ({"MONITORING_TURNOUT_POPULATION": "x"}, "MONITORING_TURNOUT_POPULATION must be one of"),
    ],
)
def test_app_settings_are_checked_when_the_process_starts(change, message):
    result = _load_settings({**PRODUCTION, **change}, _START)
    assert result.returncode != 0
    assert message in result.stderr


def test_debug_is_refused_in_production():
    result = _load_settings({**PRODUCTION, "DEBUG": "1"})
    assert result.returncode != 0
    assert "DEBUG=1 is refused" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_refuse_framing(client, krakow):
    response = client.get("/pl/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
