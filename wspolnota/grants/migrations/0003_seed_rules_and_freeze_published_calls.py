"""Seed the dated rules (the act as consolidated in Dz.U. 2023 poz. 571, and the city's own
rules) and freeze the rules of calls published before calls froze them: they get the
programme's rules as they stand now, as version 1. Programmes take the unit of their calls."""

from decimal import Decimal

from django.db import migrations

ACT = "ustawy o działalności pożytku publicznego i o wolontariacie (Dz.U. 2023 poz. 571)"
RESOLUTION = "uchwała nr CXIX/1874/14 Rady Miasta Krakowa"
RULES = [
    ("small_grant.max_amount", "10000", "statute", f"art. 19a ust. 1 pkt 1 {ACT}"),
    ("small_grant.max_days", "90", "statute", f"art. 19a ust. 1 pkt 2 {ACT}"),
    ("small_grant.share_percent", "20", "statute", f"art. 19a ust. 1a {ACT}"),
    ("small_grant.publication_working_days", "7", "statute", f"art. 19a ust. 3 {ACT}"),
    ("small_grant.remarks_days", "7", "statute", f"art. 19a ust. 3–4 {ACT}"),
    ("open_competition.announcement_days", "21", "statute", f"art. 13 ust. 1 {ACT}"),
    (
        "small_grant.city_yearly_cap",
        "20000",
        "city",
        "zasady Miasta Krakowa (ustawa takiego limitu nie przewiduje; dawny art. 19a ust. 2 uchylono)",
    ),
    (
        "small_grant.city_lead_days",
        "30",
        "city",
        "zasady Miasta Krakowa (ustawa nie wymaga złożenia oferty z wyprzedzeniem)",
    ),
    ("local_initiative.pass_score", "60", "city", RESOLUTION),
    ("local_initiative.purpose_points", "45", "city", RESOLUTION),
    ("local_initiative.contribution_points", "45", "city", RESOLUTION),
    ("local_initiative.other_points", "10", "city", RESOLUTION),
    (
        "call.amendment_min_days_left",
        "7",
        "city",
        "zasady Miasta Krakowa: po zmianie ogłoszenia wnioskodawcy mają co najmniej tyle dni",
    ),
]
RULE_FIELDS = (
    "legal_basis", "form_variant", "min_amount", "max_amount", "max_duration_days",
    "yearly_cap_per_applicant", "min_lead_days", "remarks_days", "min_announcement_days",
    "allow_ngo", "allow_informal_group", "allow_individual", "individual_min_age",
    "individual_max_age", "individual_needs_guardian", "in_kind_only",
    "requires_own_contribution", "min_own_contribution_percent", "volunteer_hour_rate_max",
    "commission_required", "min_assessors", "pass_score", "rolling", "cost_tolerance_percent",
)


def forward(apps, schema_editor):
    LegalRule = apps.get_model("grants", "LegalRule")
    Programme = apps.get_model("grants", "Programme")
    Call = apps.get_model("grants", "Call")
    CallVersion = apps.get_model("grants", "CallVersion")
    for key, value, source, basis in RULES:
        LegalRule.objects.get_or_create(
            key=key,
            effective_from=None,
            defaults={"value": Decimal(value), "source": source, "legal_basis": basis},
        )
    for programme in Programme.objects.filter(city_unit__isnull=True):
        unit_id = (
            Call.objects.filter(programme=programme, city_unit__isnull=False)
            .order_by("pk")
            .values_list("city_unit_id", flat=True)
            .first()
        )
        if unit_id is not None:
            programme.city_unit_id = unit_id
            programme.save(update_fields=["city_unit"])
    for call in Call.objects.exclude(status="draft").filter(version=0).select_related("programme"):
        programme = call.programme
        rules = {"kind": programme.kind}
        for name in RULE_FIELDS:
            value = getattr(programme, name)
            rules[name] = str(value) if isinstance(value, Decimal) else value
        call.rules = rules
        call.version = 1
        call.save(update_fields=["rules", "version"])
        CallVersion.objects.create(
            call=call,
            number=1,
            rules=rules,
            criteria=[
                {
                    "position": c.position,
                    "group": c.group,
                    "name": c.name,
                    "description": c.description,
                    "max_points": str(c.max_points),
                }
                for c in call.criteria.all()
            ],
            pool_amount=call.pool_amount,
            closes_at=call.closes_at,
            announced_at=call.published_at or call.created_at,
            announced_by_id=call.created_by_id,
        )


class Migration(migrations.Migration):
    dependencies = [("grants", "0002_frozen_calls_owned_programmes_dated_rules")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
