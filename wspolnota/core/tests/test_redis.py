"""With REDIS_URL set, the cache (and so every rate limit) and the task queue live in Redis.

CI sets REDIS_TEST_URL to a real Redis database; without it these tests say why they skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from wspolnota.core import ratelimit

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL")
ROOT = Path(__file__).resolve().parents[3]
needs_redis = pytest.mark.skipif(
    not REDIS_TEST_URL, reason="set REDIS_TEST_URL=redis://127.0.0.1:6379/15 to run"
)


def test_redis_url_switches_cache_and_tasks_to_redis():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSPOLNOTA", "REDIS", "TASKS"))}
    env.update({"WSPOLNOTA_ENV": "demo", "REDIS_URL": "redis://127.0.0.1:6379/3"})
    code = "import json, wspolnota.settings as s; print(json.dumps([s.CACHES['default']['BACKEND'], s.TASKS['default']['BACKEND']]))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    assert json.loads(result.stdout) == [
        "django.core.cache.backends.redis.RedisCache",
        "django_tasks_rq.RQBackend",
    ]


@needs_redis
def test_rate_limits_are_shared_by_every_web_process(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
        }
    }
    from django.core.cache import caches

    caches["default"].clear()
    # two separate cache clients stand for two web processes
    process_a = RedisCache(REDIS_TEST_URL, {})
    process_b = RedisCache(REDIS_TEST_URL, {})
    process_a.set("probe", 1)
    assert process_b.get("probe") == 1
    request = RequestFactory().post(
        "/pl/konto/logowanie/", {"username": "a@example.org"}, REMOTE_ADDR="10.0.0.1"
    )
    limited = [ratelimit.rate_limited(request, group="t", key="ip", rate="3/m") for _ in range(5)]
    assert limited == [False, False, False, True, True]
    caches["default"].clear()
