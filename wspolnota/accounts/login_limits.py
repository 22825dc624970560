"""How failed log-ins are slowed down without letting anyone lock a person out.

Three counters, none of which is a hard lock:

- per address, across accounts (``RATE_LIMIT_LOGIN_PER_IP``): one address trying many accounts;
- per account *and* address (``LOGIN_FAILURES_BEFORE_DELAY``, then ``LOGIN_DELAY_SECONDS``
  doubling up to ``LOGIN_MAX_DELAY_SECONDS``): a stranger who fails only slows themselves;
- per account from all addresses (``LOGIN_ACCOUNT_FAILURES_BEFORE_DELAY``, same delays): a guess
  spread over many addresses. It slows only devices that have never logged in to the account:
  a device that has carries a signed cookie naming the account, so the owner gets in.

Accounts are named by their normalised address, whether or not such an account exists, so the
answer never tells which addresses have an account.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from wspolnota.accounts.models import normalise_email
from wspolnota.core.ratelimit import Backoff, client_network, rate_limit_wait

KNOWN_DEVICE_COOKIE = "wspolnota_known_login"
KNOWN_DEVICE_SALT = "wspolnota.accounts.known-login"
KNOWN_DEVICE_DAYS = 180
KNOWN_DEVICE_ACCOUNTS = 5  # a shared family computer keeps the last few


def _backoff(name: str, free: int) -> Backoff:
    return Backoff(
        name=name,
        free=free,
        base_seconds=settings.LOGIN_DELAY_SECONDS,
        cap_seconds=settings.LOGIN_MAX_DELAY_SECONDS,
    )


def _per_pair() -> Backoff:
    return _backoff("login-pair", settings.LOGIN_FAILURES_BEFORE_DELAY)


def _per_account() -> Backoff:
    return _backoff("login-account", settings.LOGIN_ACCOUNT_FAILURES_BEFORE_DELAY)


def _account_tag(email: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"login:{email}".encode(), hashlib.sha256
    ).hexdigest()[:32]


def _known_tags(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return []
    try:
        tags = signing.loads(raw, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_DAYS * 24 * 3600)
    except signing.BadSignature:
        return []
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _is_known_device(request: HttpRequest, email: str) -> bool:
    return _account_tag(email) in _known_tags(request)


def login_wait(request: HttpRequest, typed_email: str) -> int:
    """Seconds this request must wait before its password is even checked (0: go ahead).

    Counts the request against the per-address limit; the other two only read.
    """
    wait = rate_limit_wait(
        request, group="login-ip", key="ip", rate=settings.RATE_LIMIT_LOGIN_PER_IP
    )
    email = normalise_email(typed_email)
    if not email:
        return wait
    wait = max(wait, _per_pair().wait(f"{email}|{client_network(request)}"))
    if not _is_known_device(request, email):
        wait = max(wait, _per_account().wait(email))
    return wait


def login_failed(request: HttpRequest, typed_email: str) -> None:
    """A wrong password (or no such account): slow down this address for this account."""
    email = normalise_email(typed_email)
    if not email:
        return
    _per_pair().fail(f"{email}|{client_network(request)}")
    if not _is_known_device(request, email):
        _per_account().fail(email)


def login_succeeded(request: HttpRequest, response: HttpResponse, email: str) -> None:
    """Forget this address's failures and remember the device for the account."""
    email = normalise_email(email)
    _per_pair().reset(f"{email}|{client_network(request)}")
    remember_device(request, response, email)


def remember_device(request: HttpRequest, response: HttpResponse, email: str) -> None:
    """Mark this browser as one the account's owner uses (after a log-in or a password reset)."""
    tag = _account_tag(normalise_email(email))
    tags = [t for t in _known_tags(request) if t != tag] + [tag]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps(tags[-KNOWN_DEVICE_ACCOUNTS:], salt=KNOWN_DEVICE_SALT),
        max_age=KNOWN_DEVICE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
