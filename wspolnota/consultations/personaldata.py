"""Personal data held by consultations (see ``core.personaldata``).

Remarks, statements, votes and survey answers stay in the consultation's report (the law asks
for every remark to be answered in it); their author shows as "deleted account".
"""

from wspolnota.core.personaldata import DELETE, PSEUDONYMISE, PersonalData, register

_REPORT = "part of the consultation's public report; the author shows as 'deleted account'"

register(
    PersonalData(
        "consultations.Consultation",
        official_fields=("created_by",),
        not_personal={"contact": "the organising unit's public contact for the consultation"},
    ),
    PersonalData("consultations.ConsultationChange", official_fields=("actor",)),
    PersonalData(
        "consultations.Registration",
        user_fields=("user",),
        official_fields=("keyed_by",),
        erase=DELETE,
    ),
    PersonalData(
        "consultations.Remark",
        user_fields=("author",),
        official_fields=("entered_by",),
        personal_fields=("author_name",),
        erase=PSEUDONYMISE,
        reason=_REPORT,
    ),
    PersonalData(
        "consultations.Response",
        user_fields=("respondent",),
        official_fields=("keyed_by",),
        erase=PSEUDONYMISE,
        reason=_REPORT,
    ),
    PersonalData(
        "consultations.Participant",
        user_fields=("user",),
        erase=PSEUDONYMISE,
        reason="the opinion map's participant stays as a number; the account behind it is nameless",
        person=True,
    ),
    PersonalData(
        "consultations.Statement",
        user_fields=("author__user",),
        erase=PSEUDONYMISE,
        reason=_REPORT,
    ),
    PersonalData(
        "consultations.StatementVote",
        user_fields=("participant__user",),
        erase=PSEUDONYMISE,
        reason="votes on statements are counted in the opinion map",
    ),
    PersonalData("consultations.OpinionMapImport", official_fields=("created_by",)),
    # pupils' answers by class codes name nobody (schools.codes); only the official who opened
    PersonalData("consultations.SurveyCodes", official_fields=("opened_by",)),
)
