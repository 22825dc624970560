"""What the community app holds about a person, for their GDPR data export (accounts)."""

from __future__ import annotations

from typing import Any

from wspolnota.accounts.models import User
from wspolnota.community.models import (
    ActivitySignup,
    EventRegistration,
    RoomBooking,
    VolunteerAgreement,
    VolunteerApplication,
    VolunteerHours,
    VolunteerProfile,
)


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def export(user: User) -> dict[str, Any]:
    profile = VolunteerProfile.objects.filter(user=user).select_related("district").first()
    return {
        "event_registrations": [
            {
                "event": r.event.title,
                "starts_at": _when(r.event.starts_at),
                "status": r.status,
                "registered_at": _when(r.created_at),
                "cancelled_at": _when(r.cancelled_at),
            }
            for r in EventRegistration.objects.filter(user=user).select_related("event")
        ],
        "activity_signups": [
            {
                "activity": s.activity.title,
                "place": s.activity.place.name,
                "weekday": s.activity.weekday,
                "starts_at": _when(s.activity.starts_at),
                "ends_at": _when(s.activity.ends_at),
                "status": s.status,
                "signed_up_at": _when(s.created_at),
                "promoted_at": _when(s.promoted_at),
                "cancelled_at": _when(s.cancelled_at),
            }
            for s in ActivitySignup.objects.filter(user=user).select_related("activity__place")
        ],
        "room_bookings": [
            {
                "room": str(b.room),
                "purpose": b.purpose,
                "applicant_name": b.applicant_name,
                "starts_at": _when(b.starts_at),
                "ends_at": _when(b.ends_at),
                "status": b.status,
                "decision_reason": b.decision_reason,
            }
            for b in RoomBooking.objects.filter(requested_by=user).select_related("room__place")
        ],
        "volunteer_profile": None
        if profile is None
        else {
            "birth_date": _when(profile.birth_date),
            "district": str(profile.district) if profile.district else None,
            "about": profile.about,
        },
        "volunteer_applications": [
            {
                "offer": a.offer.title,
                "status": a.status,
                "message": a.message,
                "applied_at": _when(a.created_at),
            }
            for a in VolunteerApplication.objects.filter(volunteer=user).select_related("offer")
        ],
        "volunteer_agreements": [
            {
                "number": a.number,
                "offer": a.application.offer.title,
                "starts_on": _when(a.starts_on),
                "ends_on": _when(a.ends_on),
                "volunteer_name": a.volunteer_name,
                "guardian_name": a.guardian_name,
                "signed_via": a.signed_via,
                "signed_on": _when(a.signed_on),
                "signature_file": a.signature_file.name or "",
                "signature_sha256": a.signature_sha256,
                "paper_scan": a.paper_scan.name or "",
                "paper_scan_sha256": a.paper_scan_sha256,
            }
            for a in VolunteerAgreement.objects.filter(application__volunteer=user).select_related(
                "application__offer"
            )
        ],
        "volunteer_hours": [
            {
                "offer": h.application.offer.title,
                "day": _when(h.day),
                "hours": str(h.hours),
                "description": h.description,
                "status": h.status,
            }
            for h in VolunteerHours.objects.filter(application__volunteer=user).select_related(
                "application__offer"
            )
        ],
    }
