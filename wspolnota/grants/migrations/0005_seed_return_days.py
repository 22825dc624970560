"""Seed the statutory deadline for returning unspent grant money (art. 251 ust. 1 of the public
finance act: 15 days after the end of the task)."""

from decimal import Decimal

from django.db import migrations


def forward(apps, schema_editor):
    LegalRule = apps.get_model("grants", "LegalRule")
    LegalRule.objects.get_or_create(
        key="agreement.return_days",
        effective_from=None,
        defaults={
            "value": Decimal(15),
            "source": "statute",
            "legal_basis": "art. 251 ust. 1 ustawy o finansach publicznych (Dz.U. 2023 poz. 1270)",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("grants", "0004_after_the_award")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
