"""Personal data held by grants (see ``core.personaldata``).

An application, its report and the public remarks on it stay (public-finance records); the
contact person's name, phone and e-mail go, and remarks show "deleted account". The signed
agreement keeps its signatories' names: it is a contract the city must keep (art. 17(3)(b)
GDPR with the archival rules for public-finance documents).
"""

from wspolnota.core.personaldata import KEEP, PSEUDONYMISE, PersonalData, register

_FILE = "part of the grant file the city must keep; the account behind it is nameless"

register(
    PersonalData("grants.Programme", official_fields=("created_by",)),
    PersonalData("grants.Call", official_fields=("created_by",)),
    PersonalData("grants.CallVersion", official_fields=("announced_by",)),
    PersonalData("grants.YearlyGrantPlan", official_fields=("set_by",)),
    PersonalData(
        "grants.CommissionMember",
        user_fields=("user",),
        official_fields=("added_by",),
        erase=PSEUDONYMISE,
        reason="the commission's composition is part of the call's record",
    ),
    PersonalData(
        "grants.Application",
        user_fields=("created_by", "submitted_by"),
        match_fields=(("contact_email", "email"),),
        official_fields=("formal_checked_by", "keyed_by"),
        personal_fields=("contact_name", "contact_phone", "contact_email"),
        erase=PSEUDONYMISE,
        reason=_FILE,
        files={
            "receipt_pdf": "the submission receipt (the offer as submitted, the contact "
            "person's name among it): its name is in the download; kept with the grant file "
            "the city must keep (its sha256 on the row proves what was submitted), so it is "
            "not rewritten when the contact person's columns are blanked",
        },
    ),
    PersonalData(
        "grants.Signature",
        official_fields=("recorded_by",),
        files={
            "file": "the signed offer or agreement (the signatories' names and signatures): a "
            "contract the city must keep (art. 17(3)(b) GDPR, archival rules), not erased",
        },
    ),
    PersonalData(
        "grants.Attachment",
        user_fields=("uploaded_by",),
        erase=PSEUDONYMISE,
        reason=_FILE,
        files={
            "file": "an attachment to the offer (its name in the uploader's download): part of "
            "the grant file the city must keep; the uploader becomes nameless, the file stays",
        },
    ),
    PersonalData(
        "grants.Remark",
        user_fields=("author",),
        official_fields=("keyed_by",),
        match_fields=(("author_email", "email"),),
        personal_fields=("author_name", "author_email"),
        erase=PSEUDONYMISE,
        reason="a public remark on an offer (art. 19a ust. 4) stays; its author shows as "
        "'deleted account'",
    ),
    PersonalData("grants.Award", official_fields=("decided_by", "budget_confirmed_by")),
    PersonalData(
        "grants.Agreement",
        official_fields=("created_by",),
        personal_fields=("city_signatory", "applicant_signatories", "guardian_name"),
        erase=KEEP,
        reason="a signed contract of public finance: the signatories' names (and a minor "
        "grantee's guardian's, who consented) must be kept",
    ),
    PersonalData("grants.Annex", official_fields=("created_by",)),
    PersonalData("grants.FundReturn", official_fields=("requested_by",)),
    PersonalData("grants.Tranche", official_fields=("paid_recorded_by",)),
    PersonalData(
        "grants.Report",
        user_fields=("submitted_by", "created_by"),
        official_fields=("reviewed_by",),
        erase=PSEUDONYMISE,
        reason=_FILE,
    ),
)
