"""An advisory body's opinion links to a consultation by its record (issue 21), not only by a
typed address. Existing addresses of a consultation's page on this site become the link; any
other address (an external page, the list of consultations, a missing id) is kept as it was."""

from urllib.parse import urlsplit

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _consultation_pk(url: str) -> int | None:
    # A frozen copy of councils.services.consultation_pk_from_url as it was when written.
    parts = urlsplit(url.strip())
    if parts.scheme or parts.netloc:
        own = urlsplit(settings.SITE_URL)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != own.netloc.lower():
            return None
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[0] in ("pl", "en", "uk"):
        segments = segments[1:]
    if len(segments) >= 2 and segments[0] == "konsultacje" and segments[1].isdigit():
        return int(segments[1])
    return None


def link_consultations(apps, schema_editor):
    Opinion = apps.get_model("councils", "Opinion")
    Consultation = apps.get_model("consultations", "Consultation")
    for opinion in Opinion.objects.filter(consultation__isnull=True).exclude(consultation_url=""):
        pk = _consultation_pk(opinion.consultation_url)
        if pk is None or not Consultation.objects.filter(pk=pk).exists():
            continue
        opinion.consultation_id = pk
        opinion.consultation_url = ""
        opinion.save(update_fields=["consultation", "consultation_url"])


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0004_registration_reminded_at"),
        ("councils", "0003_school_election_vote"),
    ]

    operations = [
        migrations.AddField(
            model_name="opinion",
            name="consultation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="advisory_opinions",
                to="consultations.consultation",
                verbose_name="konsultacje społeczne",
            ),
        ),
        migrations.AlterField(
            model_name="opinion",
            name="consultation_url",
            field=models.CharField(
                blank=True,
                help_text="Tylko dla konsultacji prowadzonych poza serwisem: pełny adres https:// ich strony.",
                max_length=300,
                verbose_name="konsultacje poza serwisem",
            ),
        ),
        migrations.RunPython(link_consultations, migrations.RunPython.noop),
    ]
