"""Volunteering: applications, matching, the written agreement, confirmed hours, the certificate."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.community.documents import agreement_pdf, certificate_pdf
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    ApplicationStatus,
    HoursStatus,
    Skill,
    VolunteerAgreement,
)
from wspolnota.community.selectors import offer_matches
from wspolnota.community.services import (
    volunteer_agreement_record_paper,
    volunteer_application_decide,
    volunteer_apply,
    volunteer_hours_decide,
    volunteer_hours_log,
    volunteer_profile_save,
)
from wspolnota.community.tests.factories import (
    PlaceFactory,
    VolunteerOfferFactory,
    VolunteerProfileFactory,
)
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory


def _accepted(offer, volunteer=None):
    volunteer = volunteer or VolunteerProfileFactory().user
    application = volunteer_apply(user=volunteer, offer=offer)
    return volunteer_application_decide(
        actor=offer.created_by, application=application, accept=True
    )


@pytest.mark.django_db
def test_applying_needs_a_profile_and_the_minimum_age(krakow, ngo_member):
    offer = VolunteerOfferFactory(created_by=ngo_member, min_age=18)
    person = UserFactory()
    with pytest.raises(CommunityError) as caught:
        volunteer_apply(user=person, offer=offer)
    assert caught.value.code == "profile_required"
    today = timezone.localdate()
    volunteer_profile_save(
        user=person,
        birth_date=date(today.year - 17, 1, 1),
        district=None,
        skills=[],
        about="",
        availability={"weekends": True},
    )
    with pytest.raises(CommunityError) as caught:
        volunteer_apply(user=person, offer=offer)
    assert caught.value.code == "too_young" and "18" in str(caught.value)
    younger_offer = VolunteerOfferFactory(created_by=ngo_member, min_age=16)
    assert volunteer_apply(user=person, offer=younger_offer).status == ApplicationStatus.SUBMITTED
    with pytest.raises(CommunityError):
        volunteer_apply(user=person, offer=younger_offer)
    with pytest.raises(CommunityError):
        volunteer_apply(user=ngo_member, offer=younger_offer)


@pytest.mark.django_db
def test_offers_are_matched_by_district_skills_and_time(krakow, ngo_member):
    language = Skill.objects.create(name="język ukraiński")
    gardening = Skill.objects.create(name="prace ogrodowe")
    best = VolunteerOfferFactory(
        created_by=ngo_member, district=krakow[18], weekends=True, weekday_afternoons=False
    )
    best.skills.set([language])
    other_district = VolunteerOfferFactory(
        created_by=ngo_member, district=krakow[1], weekends=True, weekday_afternoons=False
    )
    other_district.skills.set([language])
    wrong_skill = VolunteerOfferFactory(
        created_by=ngo_member, district=krakow[18], weekends=True, weekday_afternoons=False
    )
    wrong_skill.skills.set([gardening])
    VolunteerOfferFactory(  # needs weekday mornings only: no time in common
        created_by=ngo_member, district=krakow[18], weekday_mornings=True, weekday_afternoons=False
    )
    VolunteerOfferFactory(created_by=ngo_member, district=krakow[18], weekends=True, min_age=65)
    profile = VolunteerProfileFactory(district=krakow[18], weekends=True, weekday_afternoons=False)
    profile.skills.set([language])
    ranked = offer_matches(profile=profile)
    # district 3 points, each shared skill 2, each shared part of the week 1
    assert ranked == [best, wrong_skill, other_district]
    assert [o.match_score for o in ranked] == [6, 4, 3]


@pytest.mark.django_db
def test_hours_count_only_once_the_organiser_confirms_them(krakow, ngo_member, resident):
    offer = VolunteerOfferFactory(created_by=ngo_member)
    application = _accepted(offer)
    volunteer = application.volunteer
    yesterday = timezone.localdate() - timedelta(days=1)
    entry = volunteer_hours_log(
        user=volunteer,
        application=application,
        day=yesterday,
        hours=Decimal("3.5"),
        description="Zajęcia w świetlicy",
    )
    assert entry.status == HoursStatus.LOGGED
    with pytest.raises(CommunityError):  # nothing confirmed yet: no certificate
        certificate_pdf(application=application)
    with pytest.raises(CommunityError):  # not the organiser
        volunteer_hours_decide(actor=resident, entry=entry, confirm=True)
    with pytest.raises(CommunityError):  # the volunteer cannot confirm their own hours
        volunteer_hours_decide(actor=volunteer, entry=entry, confirm=True)
    confirmed = volunteer_hours_decide(actor=ngo_member, entry=entry, confirm=True)
    assert confirmed.status == HoursStatus.CONFIRMED and confirmed.confirmed_by == ngo_member
    audit = AuditLogEntry.objects.get(action="community.hours_confirmed")
    assert (audit.actor, audit.before["status"], audit.after["status"]) == (
        ngo_member,
        "logged",
        "confirmed",
    )
    with pytest.raises(CommunityError):
        volunteer_hours_decide(actor=ngo_member, entry=confirmed, confirm=False)
    rejected = volunteer_hours_log(
        user=volunteer, application=application, day=yesterday, hours=Decimal("2"), description="?"
    )
    volunteer_hours_decide(actor=ngo_member, entry=rejected, confirm=False, reason="Nie było zajęć")
    pdf = certificate_pdf(application=application)
    assert pdf.startswith(b"%PDF")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day_offset", "hours", "field"),
    [(1, "2", "day"), (-30, "2", "day"), (-1, "25", "hours")],
)
def test_hours_outside_the_offer_or_over_a_day_are_refused(
    krakow, ngo_member, day_offset, hours, field
):
    offer = VolunteerOfferFactory(created_by=ngo_member)
    application = _accepted(offer)
    if field == "hours":
        volunteer_hours_log(
            user=application.volunteer,
            application=application,
            day=timezone.localdate() - timedelta(days=1),
            hours=Decimal("20"),
            description="Festyn",
        )
        hours = "5"
    with pytest.raises(CommunityError) as caught:
        volunteer_hours_log(
            user=application.volunteer,
            application=application,
            day=timezone.localdate() + timedelta(days=day_offset),
            hours=Decimal(hours),
            description="Pomoc",
        )
    assert caught.value.field == field


@pytest.mark.django_db
def test_volunteering_over_30_days_needs_a_written_agreement_signed_by_both(krakow, ngo_member):
    today = timezone.localdate()
    short = VolunteerOfferFactory(
        created_by=ngo_member,
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=24),
    )
    assert short.duration_days == 30 and not short.needs_written_agreement
    assert not VolunteerAgreement.objects.filter(application=_accepted(short)).exists()

    long = VolunteerOfferFactory(
        created_by=ngo_member,
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=25),
    )
    assert long.needs_written_agreement
    minor = UserFactory(full_name="Ola Nowak")
    VolunteerProfileFactory(user=minor, birth_date=date(today.year - 16, 1, 1))
    application = _accepted(long, minor)
    agreement = VolunteerAgreement.objects.get(application=application)
    assert agreement.volunteer_is_minor and agreement.volunteer_name == "Ola Nowak"
    with pytest.raises(CommunityError) as caught:
        volunteer_hours_log(
            user=minor,
            application=application,
            day=today,
            hours=Decimal("1"),
            description="Pomoc",
        )
    assert caught.value.code == "agreement_not_signed"
    with pytest.raises(CommunityError) as caught:
        volunteer_agreement_record_paper(actor=ngo_member, agreement=agreement, signed_on=today)
    assert caught.value.field == "guardian_name"
    volunteer_agreement_record_paper(
        actor=ngo_member, agreement=agreement, signed_on=today, guardian_name="Anna Nowak"
    )
    agreement.refresh_from_db()
    assert agreement.is_signed
    assert AuditLogEntry.objects.filter(action="community.agreement_signed_on_paper").exists()
    volunteer_hours_log(
        user=minor, application=application, day=today, hours=Decimal("1"), description="Pomoc"
    )
    assert agreement_pdf(agreement=agreement).startswith(b"%PDF")


@pytest.mark.django_db
def test_only_the_offers_organiser_or_an_official_decides_on_applications(
    krakow, ngo_member, official, resident
):
    # An official of the unit that runs the place where the offer is held (issue 15).
    offer = VolunteerOfferFactory(created_by=ngo_member, place=PlaceFactory())
    application = volunteer_apply(user=VolunteerProfileFactory().user, offer=offer)
    with pytest.raises(CommunityError):
        volunteer_application_decide(actor=resident, application=application, accept=True)
    decided = volunteer_application_decide(actor=official, application=application, accept=False)
    assert decided.status == ApplicationStatus.REJECTED
    assert AuditLogEntry.objects.get(action="community.application_rejected").actor == official
