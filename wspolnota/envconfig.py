"""Typed helpers that read settings from environment variables.

Each helper refuses a bad value at start-up with a message that names the variable, so a
misconfigured deployment fails loudly before it serves a single request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(Exception):
    """A setting read from the environment is missing or malformed."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None:
        if required or default is None:
            raise ConfigError(f"{name} must be set")
        return default
    return value


def env_optional_str(name: str) -> str | None:
    return _raw(name)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of {sorted(_TRUE | _FALSE)}, got {value!r}")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ConfigError(f"{name} must be a comma-separated list with at least one item")
    return items


_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


def env_sender(name: str, default: str) -> str:
    """A sender such as ``Wspólnota Kraków <noreply@wspolnota.krakow.pl>`` or a bare address."""
    value = _raw(name) or default
    if not _EMAIL.match(parseaddr(value)[1]):
        raise ConfigError(
            f"{name} must be an e-mail address, e.g. Wspólnota Kraków <noreply@krakow.pl>, "
            f"got {value!r}"
        )
    return value


def env_emails(name: str) -> list[str]:
    """A comma-separated list of e-mail addresses, empty when unset."""
    value = _raw(name)
    if value is None:
        return []
    addresses = [item.strip() for item in value.split(",") if item.strip()]
    bad = [address for address in addresses if not _EMAIL.match(address)]
    if bad:
        raise ConfigError(f"{name} has addresses that are not e-mail addresses: {', '.join(bad)}")
    return addresses


def env_float(name: str, default: float, *, above: float, maximum: float) -> float:
    """A number (seconds, say) greater than ``above`` and at most ``maximum``."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not above < number <= maximum:  # also refuses nan and inf
        raise ConfigError(
            f"{name} must be a number above {above:g} and at most {maximum:g}, got {value!r}"
        )
    return number


def env_date(name: str, default: str) -> str:
    """A date written as YYYY-MM-DD (kept as text, checked here)."""
    value = _raw(name) or default
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name} must be a date like 2026-03-31, got {value!r}") from None
    return value


def env_url(
    name: str,
    default: str,
    *,
    https_only: bool,
    what: str = "address",
    example: str = "https://wspolnota.krakow.pl",
) -> str:
    """An http(s) address with a host; ``https_only`` refuses plain http (production)."""
    value = _raw(name) or default
    parts = urlsplit(value)
    if parts.scheme not in (("https",) if https_only else ("https", "http")) or not parts.netloc:
        raise ConfigError(
            f"{name} must be an https:// {what}"
            + ("" if https_only else " (or http:// outside production)")
            + f", e.g. {example}, got {value!r}"
        )
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


# django-ratelimit's "count/period": 5/m, 3/10m, 100/d. The unit is required here (the library
# would read "5/" as per second) and neither number may be zero.
_RATE = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)?([smhd])$")


def env_rate(name: str, default: str) -> str:
    """A rate limit such as ``5/m`` (five a minute) or ``3/10m`` (three in ten minutes)."""
    value = _raw(name)
    if value is None:
        return default
    if not _RATE.match(value):
        raise ConfigError(
            f"{name} must look like 5/m or 3/10m (a count, '/', an optional number of "
            f"units and one of s, m, h, d), got {value!r}"
        )
    return value


def env_codes(
    name: str, default: Collection[str], *, known: Collection[str], what: str
) -> frozenset[str]:
    """A comma-separated set of codes (upper-cased), each of which must be in ``known``."""
    value = _raw(name)
    if value is None:
        return frozenset(default)
    codes = [item.strip().upper() for item in value.split(",") if item.strip()]
    if not codes:
        raise ConfigError(f"{name} must list at least one {what}, e.g. PL,UA")
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise ConfigError(f"{name} has unknown {what}s: {', '.join(unknown)}")
    return frozenset(codes)


def env_retired(name: str, instead: str) -> None:
    """Refuse a variable that no longer does anything, so a deployment does not trust it."""
    if _raw(name) is not None:
        raise ConfigError(f"{name} is no longer used: {instead}")


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, object]:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into DATABASES['default']."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(parts.path)
        if parts.netloc:
            raise ConfigError(
                "DATABASE_URL for SQLite must look like sqlite:///relative/path or sqlite:////absolute/path"
            )
        if raw_path in ("", "/"):
            raise ConfigError(
                "DATABASE_URL for SQLite must name a file, e.g. sqlite:///var/wspolnota.sqlite3"
            )
        name = raw_path[1:]
        if name == ":memory:":
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
        path = Path(name)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError(
                "DATABASE_URL for PostgreSQL must name a database, e.g. postgres://user@127.0.0.1:5432/wspolnota"
            )
        try:
            port = parts.port
        except ValueError:
            raise ConfigError("DATABASE_URL has a port that is not a number") from None
        options: dict[str, str] = {}
        for key, values in parse_qs(parts.query).items():
            options[key] = values[-1]
        config: dict[str, object] = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
        return config
    raise ConfigError(
        f"DATABASE_URL must start with sqlite:// or postgres://, got {scheme or 'nothing'}://"
    )


def parse_redis_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("REDIS_URL must start with redis://, rediss:// or unix://")
    if parts.scheme != "unix" and not parts.hostname:
        raise ConfigError("REDIS_URL must name a host, e.g. redis://127.0.0.1:6379/0")
    return url


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str = ""


def parse_email_url(url: str, *, base_dir: Path) -> EmailConfig:
    """``smtp://user:pass@host:587?tls=1``, ``smtps://…``, ``console://`` or ``file:///var/mail``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    if scheme == "locmem":
        return EmailConfig(backend="django.core.mail.backends.locmem.EmailBackend")
    if scheme == "file":
        path = Path(unquote(parts.netloc + parts.path))
        if not str(path) or str(path) == ".":
            raise ConfigError(
                "EMAIL_URL for files must name a folder, e.g. file:///var/lib/wspolnota/mail"
            )
        if not path.is_absolute():
            path = base_dir / path
        return EmailConfig(
            backend="django.core.mail.backends.filebased.EmailBackend", file_path=str(path)
        )
    if scheme in ("smtp", "smtps"):
        if not parts.hostname:
            raise ConfigError(
                "EMAIL_URL for SMTP must name a host, e.g. smtp://user:pass@mail.example.org:587?tls=1"
            )
        try:
            port = parts.port
        except ValueError:
            raise ConfigError("EMAIL_URL has a port that is not a number") from None
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        use_ssl = scheme == "smtps"
        use_tls = query.get("tls", "0").lower() in _TRUE
        if use_ssl and use_tls:
            raise ConfigError("EMAIL_URL cannot use both smtps:// and ?tls=1")
        return EmailConfig(
            backend="django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname,
            port=port or (465 if use_ssl else 587 if use_tls else 25),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=use_tls,
            use_ssl=use_ssl,
        )
    raise ConfigError(
        "EMAIL_URL must start with smtp://, smtps://, console://, locmem:// or file://"
    )
