"""The daily cap on messages to one destination: exact, even when requests arrive together."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from wspolnota.core.models import DailySendCount
from wspolnota.core.ratelimit import send_quota_take


@pytest.mark.django_db
def test_each_destination_has_its_own_cap_and_nothing_readable_is_stored(settings):
    settings.SMS_DAILY_LIMIT_PER_NUMBER = 2
    settings.EMAIL_DAILY_LIMIT_PER_ADDRESS = 1
    taken = [send_quota_take(kind="sms", address="+48600100900") for _ in range(3)]
    assert taken == [True, True, False]
    assert send_quota_take(kind="sms", address="+48600100901")
    assert send_quota_take(kind="email", address="ala@example.org")
    assert not send_quota_take(kind="email", address="ala@example.org")
    stored = " ".join(f"{row.digest} {row.day}" for row in DailySendCount.objects.all())
    assert "600100900" not in stored and "ala@" not in stored


@pytest.mark.django_db
def test_counts_from_before_yesterday_are_deleted_as_new_ones_come(settings):
    settings.SMS_DAILY_LIMIT_PER_NUMBER = 1
    today = timezone.localdate()
    DailySendCount.objects.create(digest="a" * 64, day=today - timedelta(days=3), count=1)
    DailySendCount.objects.create(digest="b" * 64, day=today - timedelta(days=1), count=1)
    assert send_quota_take(kind="sms", address="+48600100902")
    assert set(DailySendCount.objects.values_list("day", flat=True)) == {
        today,
        today - timedelta(days=1),
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_never_go_over_a_numbers_daily_cap(settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")
    settings.SMS_DAILY_LIMIT_PER_NUMBER = 3
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def take() -> None:
        try:
            barrier.wait()
            results.append(send_quota_take(kind="sms", address="+48600100903"))
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True] * 3
    assert DailySendCount.objects.get().count == 3
