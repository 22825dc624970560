"""Seed the city's deadline for correcting an offer after the formal check (7 days)."""

from decimal import Decimal

from django.db import migrations


def forward(apps, schema_editor):
    LegalRule = apps.get_model("grants", "LegalRule")
    LegalRule.objects.get_or_create(
        key="application.correction_days",
        effective_from=None,
        defaults={
            "value": Decimal(7),
            "source": "city",
            "legal_basis": "zasady Miasta Krakowa: termin na uzupełnienie braków formalnych oferty",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("grants", "0007_commission_and_corrections")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
