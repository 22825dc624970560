# Stored e-mail addresses become normalised (no surrounding spaces, lower case), then a check
# constraint keeps them so. Addresses that only differed by case could never coexist (the unique
# constraint on LOWER(email) forbade it); two that differ only by surrounding spaces would now
# collide, and which of the two accounts is the person's is not for a migration to guess.

import django.db.models.functions.text
from django.db import migrations, models


def collisions(User):
    """Normalised address → account ids, for addresses that more than one account would share."""
    owners = {}
    for pk, email in User.objects.order_by("pk").values_list("pk", "email"):
        owners.setdefault(email.strip().lower(), []).append(pk)
    return {email: ids for email, ids in owners.items() if len(ids) > 1}


def normalise_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    clashing = collisions(User)
    if clashing:
        listing = "; ".join(f"{email}: accounts {ids}" for email, ids in sorted(clashing.items()))
        raise RuntimeError(
            "These accounts would share one e-mail address once surrounding spaces are removed; "
            f"merge or rename them by hand, then migrate again: {listing}"
        )
    for pk, email in User.objects.values_list("pk", "email"):
        normalised = email.strip().lower()
        if normalised != email:
            User.objects.filter(pk=pk).update(email=normalised)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("territory", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(normalise_emails, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "email",
                        django.db.models.functions.text.Lower(
                            django.db.models.functions.text.Trim("email")
                        ),
                    )
                ),
                name="user_email_normalised",
            ),
        ),
    ]
