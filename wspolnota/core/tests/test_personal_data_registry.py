"""Every model with a path to a person is declared in the personal-data registry.

The walk looks at every installed model: a foreign key to the user model, a column whose name or
type says it holds an e-mail, a phone, a name, a PESEL, an address, a birth date…, or a foreign
key to a model that stands for a person (a participant, a member). Each such column must be
named by the model's declaration (``core.personaldata``), and a declaration that keeps the
person's rows must say why. Only the models below may go undeclared, each for a reason.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from wspolnota.core import personaldata

# Models outside the platform's code, or holding nothing about a person.
EXEMPT: dict[str, str] = {
    "core.auditpersonaldata": "the audit log's own side table, erased by "
    "core.services.audit_personal_data_erase (walked by every erasure)",
    "core.dailysendcount": "keyed hashes of destinations, deleted daily",
    "django_tasks_database.dbtaskresult": "background task results: the platform enqueues "
    "tasks with object ids only, never an address or a name",
}


def _flagged(model: type[models.Model]) -> set[str]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    person_models = {
        key for key, declaration in personaldata.registry().items() if declaration.person
    }
    names = set()
    for field in model._meta.concrete_fields:
        if field.is_relation:
            target = field.related_model
            if target is user_model or (
                target is not None and target._meta.label_lower in person_models
            ):
                names.add(field.name)
        elif personaldata.is_personal_field(field):
            names.add(field.name)
    return names


def test_every_model_with_a_path_to_a_person_is_declared():
    problems = []
    for model in apps.get_models():
        label = model._meta.label_lower
        flagged = _flagged(model)
        if not flagged or label in EXEMPT:
            continue
        declaration = personaldata.declaration_for(model)
        if declaration is None:
            problems.append(f"{label}: not declared ({sorted(flagged)})")
            continue
        missing = flagged - declaration.declared_fields()
        if missing:
            problems.append(f"{label}: {sorted(missing)} not declared")
    assert problems == []


def test_every_file_field_says_how_its_file_is_exported_erased_and_kept():
    """Files on disk are personal data too (a letter batch's PDF, a signed scan): every
    ``FileField``/``ImageField`` of every model is declared in its app's ``personaldata`` under
    ``files`` (how the file is exported, erased and kept) or ``not_personal`` (why it holds
    nobody), whatever its name says."""
    problems = []
    for model in apps.get_models():
        label = model._meta.label_lower
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            declaration = personaldata.declaration_for(model)
            if declaration is None:
                problems.append(f"{label}.{field.name}: a file in an undeclared model")
                continue
            how = declaration.files.get(field.name) or declaration.not_personal.get(field.name)
            if not how:
                problems.append(f"{label}.{field.name}: a file not declared as personal or not")
            if field.name in declaration.files and field.name in declaration.not_personal:
                problems.append(f"{label}.{field.name}: declared both personal and not")
    assert problems == []


def test_every_declaration_names_real_columns_and_says_why_it_keeps_data():
    problems = []
    for key, declaration in personaldata.registry().items():
        model = declaration.model_class()
        assert model._meta.label_lower == key
        for name in declaration.declared_fields():
            try:
                model._meta.get_field(name)
            except Exception:
                problems.append(f"{key}.{name}: no such column")
        kept = declaration.erase not in (personaldata.DELETE, personaldata.PSEUDONYMISE)
        if kept and not declaration.reason:
            problems.append(f"{key}: keeps the person's rows without a reason")
        if declaration.erase == personaldata.PSEUDONYMISE and not declaration.reason:
            problems.append(f"{key}: pseudonymises without saying why the row stays")
    assert problems == []


@pytest.mark.django_db
def test_every_declaration_can_find_export_and_erase_a_persons_rows():
    from wspolnota.accounts.models import User

    person = User.objects.create_user("walk@example.org", "x-Secret-123", full_name="Walk Er")
    for declaration in personaldata.registry().values():
        list(declaration.rows(person))  # the paths resolve
        declaration.export(person)
    personaldata.erase_all(person, now=person.date_joined)


def test_the_detector_knows_personal_columns_from_other_ones():
    for name in ("email", "contact_email", "phone", "author_name", "pesel_key", "birth_date"):
        assert personaldata.is_personal_key(name), name
    for name in ("status", "name", "original_name", "description", "title", "receipt_pdf"):
        assert not personaldata.is_personal_key(name), name


def test_every_app_has_a_personaldata_module():
    from importlib.util import find_spec

    missing = [
        config.name
        for config in apps.get_app_configs()
        if config.name.startswith("wspolnota.")
        and config.name not in ("wspolnota.api",)
        and find_spec(f"{config.name}.personaldata") is None
    ]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("erase", [personaldata.DELETE, personaldata.PSEUDONYMISE])
def test_the_generic_erasure_deletes_a_declared_file_from_the_storage(erase):
    """Deleting or blanking a row leaves its file on disk unless the erasure deletes it."""
    from pathlib import Path

    from django.core.files.base import ContentFile

    from wspolnota.communication.models import LetterBatch
    from wspolnota.tests_support.factories import UserFactory

    person = UserFactory()
    batch = LetterBatch.objects.create(created_by=person)
    batch.pdf.save("person.pdf", ContentFile(b"%PDF- a person's file"))
    stored = Path(batch.pdf.path)
    assert stored.exists()
    declaration = personaldata.PersonalData(
        "communication.LetterBatch",
        user_fields=("created_by",),
        personal_fields=("pdf",) if erase == personaldata.PSEUDONYMISE else (),
        files={"pdf": "a file about the person"},
        erase=erase,
        reason="test",
    )
    assert declaration.run_erase(person, person.date_joined) == 1
    assert not stored.exists()
