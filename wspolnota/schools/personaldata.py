"""Personal data held by school budgets (see ``core.personaldata``).

Pupils have no accounts and leave no personal data: codes are keyed hashes naming only a
class, ballots name nothing, ideas name a class at most. What stays is the teachers' acts in
their role (registering a school, keying and checking ideas, printing sheets); a teacher's
membership of a school's team goes with their account.
"""

from wspolnota.core.personaldata import DELETE, PersonalData, register

register(
    PersonalData(
        "schools.School",
        official_fields=("registered_by", "decided_by"),
        not_personal={"location": "the school's own street address"},
    ),
    PersonalData("schools.SchoolMember", user_fields=("user",), erase=DELETE),
    PersonalData("schools.Idea", official_fields=("keyed_by", "checked_by")),
    PersonalData("schools.CodeSheet", official_fields=("issued_by", "voided_by")),
)
