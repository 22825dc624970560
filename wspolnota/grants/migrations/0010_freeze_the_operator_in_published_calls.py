"""The regranting operator (art. 16a) becomes part of a call's frozen rules: calls published
before keep the operator their programme names today, so a later change of the programme does
not move their grantees' money."""

from django.db import migrations


def forward(apps, schema_editor):
    Call = apps.get_model("grants", "Call")
    for call in Call.objects.exclude(status="draft").select_related("programme"):
        rules = dict(call.rules or {})
        if not rules or "regranting_operator" in rules:
            continue
        rules["regranting_operator"] = call.programme.regranting_operator_id
        call.rules = rules
        call.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("grants", "0009_regranting_operator")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
