"""Limits on what one address, one account or one phone number can make the platform do.

- ``client_address``: the address a request really came from. Behind ``TRUSTED_PROXY_COUNT``
  reverse proxies it is the N-th entry of ``X-Forwarded-For`` from the right (the address the
  outermost trusted proxy saw); entries further left were written by the client and prove
  nothing. With no trusted proxy the header is ignored.
- ``rate_limited`` / ``rate_limit_wait``: fixed-window counters (django-ratelimit) in the shared
  cache, so every web process agrees.
- ``Backoff``: increasing delays after repeated failures (log-in), instead of a hard lock that
  anyone could trigger.
- ``send_quota_take``: a daily cap per destination (a phone number, an e-mail address) on messages
  sent at someone's request, counted in the database so that it holds under concurrency.
- ``sms_country_allowed``: the countries the platform sends SMS to on request.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import timedelta

import django_ratelimit
import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import get_usage

# --- Client address ----------------------------------------------------------------------------


def _parse_ip(value: str) -> str | None:
    """An IP address as written by a proxy ("203.0.113.7", "[2001:db8::1]:443", "1.2.3.4:80")."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port; IPv6 has more colons
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def address_from_headers(*, remote_addr: str, forwarded_for: str, trusted_proxies: int) -> str:
    """The client's address, trusting only the last ``trusted_proxies`` hops.

    A request that did not pass through every trusted proxy (too few entries) or whose entry is
    not an address is counted under the connecting address, which is what a direct request is.
    """
    if trusted_proxies > 0:
        hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
        if len(hops) >= trusted_proxies:
            client = _parse_ip(hops[-trusted_proxies])
            if client is not None:
                return client
    return _parse_ip(remote_addr) or "0.0.0.0"  # noqa: S104 - an address to count under, not bind


def client_address(request: HttpRequest) -> str:
    """The address of the person making the request (set once by ``ClientAddressMiddleware``)."""
    known = getattr(request, "client_address", None)
    if isinstance(known, str) and known:
        return known
    return address_from_headers(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_proxies=settings.TRUSTED_PROXY_COUNT,
    )


def client_network(request: HttpRequest) -> str:
    """The client's address as rate limits count it: one IPv6 user holds a whole /64."""
    address = ipaddress.ip_address(client_address(request))
    prefix = 64 if address.version == 6 else 32
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


# --- Fixed windows ---------------------------------------------------------------------------------


def rate_limited(request: HttpRequest, *, group: str, key: str, rate: str) -> bool:
    """Count this request in ``group`` and say whether it goes over ``rate`` ("5/m", "3/10m").

    ``key`` is a django-ratelimit key such as ``"ip"`` (the client address, see above),
    ``"user"`` or ``"post:username"``.
    """
    return rate_limit_wait(request, group=group, key=key, rate=rate) > 0


def rate_limit_wait(
    request: HttpRequest, *, group: str, key: str, rate: str, value: str | None = None
) -> int:
    """Like ``rate_limited``, but the seconds until the window ends (0 when within the limit).

    ``value`` counts under a value the caller computed (a normalised e-mail, a phone number)
    instead of one read from the request by ``key``; ``key`` then only names it.
    """
    if value is not None:
        fixed = value

        def key_fn(_group: str, _request: HttpRequest) -> str:
            return f"{key}:{fixed}"

        usage = get_usage(
            request, group=group, key=key_fn, rate=rate, method=django_ratelimit.ALL, increment=True
        )
    else:
        usage = get_usage(
            request, group=group, key=key, rate=rate, method=django_ratelimit.ALL, increment=True
        )
    if usage is None or not usage["should_limit"]:
        return 0
    return max(1, int(usage["time_left"]))


def sms_request_limited(request: HttpRequest) -> bool:
    """Count a request that makes the platform send an SMS against its address's limit.

    The daily cap per number stops one number being flooded; this stops one address walking
    through a list of numbers (RATE_LIMIT_SMS_PER_ADDRESS, shared by every form that texts).
    """
    return rate_limited(
        request, group="sms-address", key="ip", rate=settings.RATE_LIMIT_SMS_PER_ADDRESS
    )


# --- Increasing delays -----------------------------------------------------------------------------


def _clock() -> float:
    return time.time()


@dataclass(frozen=True)
class Backoff:
    """After ``free`` failures, each further attempt waits ``base`` seconds, doubling to ``cap``.

    Attempts refused while waiting are not counted, so waiting always ends. The record is
    forgotten a day after the last failure (or at once after a success, see ``reset``).
    """

    name: str
    free: int
    base_seconds: int
    cap_seconds: int
    memory_seconds: int = 24 * 3600

    def _key(self, subject: str) -> str:
        return f"backoff:{self.name}:" + hashlib.sha256(subject.encode()).hexdigest()

    def wait(self, subject: str) -> int:
        """Seconds before ``subject`` may try again (0: now)."""
        state = cache.get(self._key(subject))
        if not state:
            return 0
        return max(0, math.ceil(float(state["next_at"]) - _clock()))

    def delay_after(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return int(min(self.cap_seconds, self.base_seconds * 2 ** (failures - self.free)))

    def fail(self, subject: str) -> int:
        """Record a failure; return the delay it imposes on the next attempt."""
        key = self._key(subject)
        state = cache.get(key) or {"failures": 0}
        failures = int(state["failures"]) + 1
        delay = self.delay_after(failures)
        cache.set(
            key,
            {"failures": failures, "next_at": _clock() + delay},
            timeout=max(self.memory_seconds, delay),
        )
        return delay

    def reset(self, subject: str) -> None:
        cache.delete(self._key(subject))


# --- Daily caps per destination -------------------------------------------------------------------


def destination_digest(kind: str, address: str) -> str:
    """A keyed hash of a phone number or e-mail address: counted without being stored."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"send-quota:{kind}:{address}".encode(), hashlib.sha256
    ).hexdigest()


def _daily_limit(kind: str) -> int:
    if kind == "sms":
        return int(settings.SMS_DAILY_LIMIT_PER_NUMBER)
    if kind == "email":
        return int(settings.EMAIL_DAILY_LIMIT_PER_ADDRESS)
    raise ValueError(f"no daily limit for {kind!r}")


def send_quota_take(*, kind: str, address: str) -> bool:
    """Count one message to ``address`` today; False (and nothing counted) once the cap is reached.

    ``kind`` is ``"sms"`` (SMS_DAILY_LIMIT_PER_NUMBER) or ``"email"``
    (EMAIL_DAILY_LIMIT_PER_ADDRESS). The day is the city's calendar day. One conditional UPDATE
    decides, so simultaneous requests cannot together go over the cap; a new day's row is created
    once, its unique key settling a race between two first requests.
    """
    from wspolnota.core.models import DailySendCount

    limit = _daily_limit(kind)
    digest = destination_digest(kind, address)
    today = timezone.localdate()
    with transaction.atomic():
        # Yesterday's counts are no longer needed: keep no trace of who was sent what.
        DailySendCount.objects.filter(day__lt=today - timedelta(days=1)).delete()
        for _attempt in range(2):
            taken = DailySendCount.objects.filter(digest=digest, day=today, count__lt=limit).update(
                count=F("count") + 1
            )
            if taken:
                return True
            if DailySendCount.objects.filter(digest=digest, day=today).exists():
                return False
            try:
                with transaction.atomic():
                    DailySendCount.objects.create(digest=digest, day=today, count=1)
            except IntegrityError:
                continue  # another request created today's row first: count on it
            return True
    return False


# --- Where SMS may go ------------------------------------------------------------------------------


def sms_country_allowed(e164: str) -> bool:
    """Whether the platform sends SMS on request to this number's country (SMS_ALLOWED_COUNTRIES)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.region_code_for_number(number) in settings.SMS_ALLOWED_COUNTRIES


def sms_allowed_prefixes() -> str:
    """The allowed countries as dialling codes ("+48, +380"), the same in every language."""
    codes = sorted(
        {phonenumbers.country_code_for_region(r) for r in settings.SMS_ALLOWED_COUNTRIES}
    )
    return ", ".join(f"+{code}" for code in codes)
