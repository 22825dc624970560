"""Personal data held by the vote (see ``core.personaldata``).

Ballots are never linked to a voter, so nothing here reaches them. The voter roll, the
district choices and the identity checks hold keyed hashes and stay until the roll's own
retention period (``RETENTION_VOTER_ROLL_DAYS`` after the vote, applied by
``voting.services.voting_personal_data_purge``): without them a deleted account could not be
stopped from voting a second time on paper.
"""

from wspolnota.core.personaldata import DELETE, KEEP, PersonalData, register

_ROLL = (
    "one person one vote: kept until RETENTION_VOTER_ROLL_DAYS after the vote, then purged "
    "with the roll; holds keyed hashes only, never the ballot"
)

register(
    PersonalData("voting.VoterDistrict", user_fields=("user",), erase=KEEP, reason=_ROLL),
    PersonalData(
        "voting.VoterRollEntry",
        user_fields=("user",),
        personal_fields=("pesel_key", "phone_key", "phone_slot", "address_key"),
        erase=KEEP,
        reason=_ROLL,
        person=True,
    ),
    PersonalData(
        "voting.IdentityClaim",
        user_fields=("user",),
        personal_fields=("address_key",),
        erase=KEEP,
        reason=_ROLL,
    ),
    PersonalData(
        "voting.RefusedAttempt",
        user_fields=("user",),
        personal_fields=("phone_key", "address_key"),
        erase=KEEP,
        reason=_ROLL,
    ),
    PersonalData(
        "voting.CastCode", user_fields=("user",), personal_fields=("phone",), erase=DELETE
    ),
    PersonalData(
        "voting.PaperEntry",
        official_fields=("entered_by",),
        personal_fields=("pesel_key", "address_key"),
        erase=KEEP,
        reason="keyed hashes of paper voters (no account); purged with the roll",
    ),
    PersonalData(
        "voting.VotingPoint",
        not_personal={"address": "a polling station's address"},
    ),
    PersonalData("voting.VotingExtension", official_fields=("decided_by",)),
    PersonalData("voting.PaperCard", official_fields=("resolved_by",)),
    PersonalData("voting.PointProtocol", official_fields=("closed_by",)),
    PersonalData("voting.Count", official_fields=("counted_by", "published_by")),
    PersonalData("voting.PoolResult", official_fields=("counted_by",)),
)
