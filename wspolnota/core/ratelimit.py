"""Rate limits on sensitive forms, counted in the shared cache so every web process agrees."""

from __future__ import annotations

import django_ratelimit
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited


def rate_limited(request: HttpRequest, *, group: str, key: str, rate: str) -> bool:
    """Count this request in ``group`` and say whether it goes over ``rate`` ("5/m", "3/10m").

    ``key`` is a django-ratelimit key such as ``"ip"``, ``"user"`` or ``"post:username"``.
    """
    return bool(
        is_ratelimited(
            request, group=group, key=key, rate=rate, method=django_ratelimit.ALL, increment=True
        )
    )
