"""Personal data held by the community app (see ``core.personaldata``).

Sign-ups, registrations and the volunteer profile are deleted with the account; a volunteer's
applications and hours stay without a name; a signed volunteering agreement (art. 44 of the
Act on public benefit activity) keeps the names in it, as a contract the organiser must keep,
with its signed file or scan, until its retention period ends (``volunteer_agreements_purge``).
"""

from datetime import datetime, timedelta

from django.utils import timezone

from wspolnota.core.personaldata import DELETE, KEEP, PSEUDONYMISE, PersonalData, register

_ORGANISER = "the organising body's name and address, not a person's"

register(
    PersonalData(
        "community.Place",
        not_personal={
            "street_address": "a public place's address",
            "phone": "a public place's phone",
            "email": "a public place's e-mail",
        },
    ),
    PersonalData(
        "community.ActivitySignup",
        user_fields=("user",),
        official_fields=("keyed_by",),
        erase=DELETE,
    ),
    PersonalData(
        "community.RoomBooking",
        user_fields=("requested_by",),
        official_fields=("decided_by",),
        personal_fields=("applicant_name",),
        erase=PSEUDONYMISE,
        reason="the room's booking calendar keeps the slot, not the person",
    ),
    PersonalData(
        "community.Event",
        official_fields=("created_by",),
        not_personal={"organiser_name": _ORGANISER},
    ),
    PersonalData(
        "community.EventRegistration",
        user_fields=("user",),
        official_fields=("keyed_by",),
        erase=DELETE,
    ),
    PersonalData(
        "community.VolunteerOffer",
        official_fields=("created_by",),
        not_personal={"organiser_name": _ORGANISER, "organiser_address": _ORGANISER},
    ),
    PersonalData(
        "community.VolunteerProfile",
        user_fields=("user",),
        official_fields=("keyed_by",),
        personal_fields=("birth_date",),
        erase=DELETE,
    ),
    PersonalData(
        "community.VolunteerApplication",
        user_fields=("volunteer",),
        official_fields=("decided_by", "keyed_by"),
        erase=PSEUDONYMISE,
        reason="the organiser's record of hours and agreements points at it",
        person=True,
    ),
    PersonalData(
        "community.VolunteerHours",
        user_fields=("application__volunteer",),
        official_fields=("confirmed_by",),
        erase=PSEUDONYMISE,
        reason="confirmed hours are the organiser's record; the account behind them is nameless",
    ),
    PersonalData(
        "community.VolunteerAgreement",
        user_fields=("application__volunteer",),
        official_fields=("signature_recorded_by",),
        personal_fields=("volunteer_name", "guardian_name", "signature_file", "paper_scan"),
        erase=KEEP,
        reason="a signed volunteering agreement (art. 44 of the Act on public benefit "
        "activity and volunteering) is a contract the organiser must keep; its names, the "
        "signed file and the scan go RETENTION_VOLUNTEER_AGREEMENTS_DAYS after it ends "
        "(volunteer_agreements_purge)",
        not_personal={"organiser_name": _ORGANISER, "organiser_address": _ORGANISER},
        files={
            "signature_file": "the agreement signed electronically: its name is in the "
            "volunteer's download; kept as a contract, deleted from the storage "
            "RETENTION_VOLUNTEER_AGREEMENTS_DAYS after the agreement ends "
            "(volunteer_agreements_purge)",
            "paper_scan": "the scan of the agreement signed on paper: as the signed file",
        },
    ),
)


def volunteer_agreements_purge(*, now: datetime, days: int) -> int:
    """Retention (``RETENTION_VOLUNTEER_AGREEMENTS_DAYS`` after the agreement's last day): the
    signed file and the scan are deleted from the document storage and the names blanked; the
    row stays (its number, dates and how it was signed) for the organiser's records."""
    from wspolnota.community.models import VolunteerAgreement

    cutoff = timezone.localtime(now).date() - timedelta(days=days)
    done = 0
    stale = VolunteerAgreement.objects.filter(ends_on__lt=cutoff).exclude(
        volunteer_name="", guardian_name="", signature_file="", paper_scan=""
    )
    for agreement in stale:
        for stored in (agreement.signature_file, agreement.paper_scan):
            if stored:
                stored.delete(save=False)
        agreement.volunteer_name = ""
        agreement.guardian_name = ""
        agreement.save(
            update_fields=[
                "volunteer_name",
                "guardian_name",
                "signature_file",
                "paper_scan",
                "updated_at",
            ]
        )
        done += 1
    return done
