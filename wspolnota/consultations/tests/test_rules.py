"""Kraków's rules: 7 days of notice, 21 days of consultation, three forms with an open meeting."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wspolnota.consultations import selectors, services
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.tests.factories import ConsultationFactory, MeetingFactory
from wspolnota.core.models import AuditLogEntry

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=WARSAW)
TODAY = date(2026, 3, 2)


def plan(official, *, notice=7, days=21, forms=("document", "meeting", "survey"), meeting=True):
    unit = official.role_assignments.get().city_unit
    starts = TODAY + timedelta(days=notice)
    consultation = ConsultationFactory(
        initiating_unit=unit,
        created_by=official,
        information_from=TODAY,
        starts_on=starts,
        ends_on=starts + timedelta(days=days - 1),
        forms=list(forms),
        published_at=None,
    )
    if meeting:
        MeetingFactory(consultation=consultation)
    return consultation


def codes(consultation):
    return {p.code for p in selectors.consultation_rule_problems(consultation, at=NOW)}


@pytest.mark.django_db
def test_a_plan_with_7_days_notice_21_days_and_three_forms_meets_the_rules(official):
    consultation = plan(official)
    assert codes(consultation) == set()
    services.consultation_publish(actor=official, consultation=consultation, at=NOW)
    consultation.refresh_from_db()
    assert consultation.published_at == NOW and consultation.rules_override_reason == ""
    assert AuditLogEntry.objects.filter(action="consultations.published").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("notice", "days", "forms", "meeting", "problem"),
    [
        (6, 21, ("document", "meeting", "survey"), True, "notice"),
        (7, 20, ("document", "meeting", "survey"), True, "duration"),
        (7, 21, ("document", "meeting"), True, "forms"),
        (7, 21, ("document", "survey", "map"), True, "open_form"),
        (7, 21, ("document", "workshop", "survey"), False, "meeting"),
    ],
)
def test_each_broken_rule_blocks_the_announcement(official, notice, days, forms, meeting, problem):
    consultation = plan(official, notice=notice, days=days, forms=forms, meeting=meeting)
    assert codes(consultation) == {problem}
    with pytest.raises(ConsultationsError) as error:
        services.consultation_publish(actor=official, consultation=consultation, at=NOW)
    assert error.value.field == "override_reason"
    consultation.refresh_from_db()
    assert consultation.published_at is None


@pytest.mark.django_db
def test_the_notice_counts_from_the_announcement_when_it_comes_late(official):
    consultation = plan(official, notice=10)
    assert codes(consultation) == set()
    four_days_later = NOW + timedelta(days=4)
    assert codes_at(consultation, four_days_later) == {"notice"}


def codes_at(consultation, at):
    return {p.code for p in selectors.consultation_rule_problems(consultation, at=at)}


@pytest.mark.django_db
def test_an_official_may_depart_from_the_rules_only_with_a_recorded_justification(official):
    consultation = plan(official, days=14)
    with pytest.raises(ConsultationsError):
        services.consultation_publish(
            actor=official, consultation=consultation, override_reason="bo tak", at=NOW
        )
    reason = "Termin ustawowy na przyjęcie studium upływa 30 marca; skrócono konsultacje."
    services.consultation_publish(
        actor=official, consultation=consultation, override_reason=reason, at=NOW
    )
    consultation.refresh_from_db()
    assert consultation.rules_override_reason == reason
    entry = AuditLogEntry.objects.get(action="consultations.published_with_override")
    assert "duration" in entry.reason and reason in entry.reason


@pytest.mark.django_db
def test_only_officials_of_the_initiating_unit_may_announce(official, resident, moderator):
    consultation = plan(official)
    for person in (resident, moderator):
        with pytest.raises(ConsultationsError):
            services.consultation_publish(actor=person, consultation=consultation, at=NOW)
    other_unit = ConsultationFactory(published_at=None)
    with pytest.raises(ConsultationsError):
        services.consultation_publish(actor=official, consultation=other_unit, at=NOW)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "phase"),
    [
        (datetime(2026, 3, 8, 23, 59, tzinfo=WARSAW), "announced"),
        (datetime(2026, 3, 9, 0, 1, tzinfo=WARSAW), "open"),
        (datetime(2026, 3, 29, 23, 59, tzinfo=WARSAW), "open"),
        (datetime(2026, 3, 30, 0, 1, tzinfo=WARSAW), "closed"),
    ],
)
def test_phases_follow_the_dates_in_warsaw_time(official, moment, phase):
    consultation = plan(official)
    services.consultation_publish(actor=official, consultation=consultation, at=NOW)
    assert selectors.consultation_duration_days(consultation) == 21
    assert selectors.consultation_phase(consultation, at=moment) == phase
