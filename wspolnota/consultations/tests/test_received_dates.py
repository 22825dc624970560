"""A remark received off the platform counts only when it was sent during the consultation.

Attack tests (issue 17): a letter post-marked on the last day that arrives after it was refused,
a letter post-marked after the end was not told apart from it, and a remark could be entered
after the report (which must answer every remark) was published.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from wspolnota.consultations import services
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import Remark
from wspolnota.consultations.tests.factories import ConsultationFactory


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def ended(official):
    """Ran from 30 to 4 days ago; the report is not published yet."""
    return ConsultationFactory(
        initiating_unit=official.role_assignments.get().city_unit,
        created_by=official,
        information_from=today() - timedelta(days=40),
        starts_on=today() - timedelta(days=30),
        ends_on=today() - timedelta(days=4),
    )


def _letter(official, consultation, **dates):
    return services.remark_enter(
        actor=official,
        consultation=consultation,
        channel=Remark.Channel.POST,
        text="List z uwagami o placu zabaw",
        author_name="Anna Nowak",
        **dates,
    )


@pytest.mark.django_db
def test_a_letter_post_marked_on_the_last_day_and_received_after_it_is_entered(
    ended, official, settings
):
    settings.CONSULTATION_POSTMARK_GRACE_DAYS = 14
    remark = _letter(official, ended, received_on=today(), posted_on=ended.ends_on)
    assert (remark.received_on, remark.posted_on) == (today(), ended.ends_on)


@pytest.mark.django_db
def test_a_letter_post_marked_after_the_end_is_refused(ended, official, settings):
    settings.CONSULTATION_POSTMARK_GRACE_DAYS = 14
    with pytest.raises(ConsultationsError) as error:
        _letter(official, ended, received_on=today(), posted_on=ended.ends_on + timedelta(days=1))
    assert error.value.field == "posted_on"
    with pytest.raises(ConsultationsError) as error:
        _letter(official, ended, received_on=today())
    assert error.value.field == "posted_on"
    assert not Remark.objects.exists()


@pytest.mark.django_db
def test_a_letter_arriving_after_the_postal_grace_is_refused(ended, official, settings):
    settings.CONSULTATION_POSTMARK_GRACE_DAYS = 3
    with pytest.raises(ConsultationsError) as error:
        _letter(official, ended, received_on=today(), posted_on=ended.ends_on)
    assert error.value.field == "received_on"
    assert "3" in str(error.value)


@pytest.mark.django_db
def test_a_phone_remark_after_the_last_day_gets_no_postal_grace(ended, official):
    with pytest.raises(ConsultationsError) as error:
        services.remark_enter(
            actor=official,
            consultation=ended,
            channel=Remark.Channel.PHONE,
            text="Telefon w sprawie placu",
            received_on=today(),
            posted_on=ended.ends_on,
        )
    assert error.value.field == "received_on"


@pytest.mark.django_db
def test_a_letter_from_2001_or_from_the_future_is_refused(ended, official):
    for received, posted in (
        (date(2001, 1, 1), date(2001, 1, 1)),
        (today() + timedelta(days=1), ended.ends_on),
    ):
        with pytest.raises(ConsultationsError) as error:
            _letter(official, ended, received_on=received, posted_on=posted)
        assert error.value.field == "received_on"
    assert not Remark.objects.exists()


@pytest.mark.django_db
def test_no_remark_is_entered_once_the_report_is_published(ended, official):
    services.report_publish(
        actor=official, consultation=ended, summary="Wnioski z konsultacji.", at=timezone.now()
    )
    with pytest.raises(ConsultationsError):
        _letter(official, ended, received_on=ended.ends_on, posted_on=ended.ends_on)
    assert not Remark.objects.exists()
