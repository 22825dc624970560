"""Parallel test workers (pytest-xdist) keep to their own Redis database and files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from wspolnota.tests_support.xdist import per_worker_redis_url, worker_index


def test_each_worker_gets_the_next_redis_database():
    assert per_worker_redis_url("redis://127.0.0.1:6379/10", 0) == "redis://127.0.0.1:6379/10"
    assert per_worker_redis_url("redis://127.0.0.1:6379/10", 1) == "redis://127.0.0.1:6379/11"
    assert per_worker_redis_url("redis://:pw@redis:6379", 2) == "redis://:pw@redis:6379/2"


def test_a_worker_beyond_the_last_redis_database_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="worker 3 would need database 16"):
        per_worker_redis_url("redis://127.0.0.1:6379/13", 3)


def test_this_worker_uses_its_own_redis_database():
    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("set REDIS_TEST_URL=redis://127.0.0.1:6379/15 to run")
    if "PYTEST_XDIST_WORKER" not in os.environ:
        pytest.skip("runs in a pytest-xdist worker (./wsp test)")
    given = os.environ["WSP_REDIS_TEST_URL_GIVEN"]  # what the run was started with
    assert url == per_worker_redis_url(given, worker_index())
    assert worker_index() == int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))


def test_files_of_a_test_go_to_its_own_folder(tmp_path):
    assert Path(settings.VAR_DIR) == tmp_path / "var"
    assert Path(settings.MEDIA_ROOT) == tmp_path / "media"
