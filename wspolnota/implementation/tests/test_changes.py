from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wspolnota.communication.models import OutboxMessage
from wspolnota.core.models import AuditLogEntry
from wspolnota.implementation.errors import ImplementationError, ImplementationPermissionError
from wspolnota.implementation.models import Implementation, ImplementationStatus, Update
from wspolnota.implementation.selectors import update_lines
from wspolnota.implementation.services import (
    implementation_change,
    implementation_follow,
    implementation_unfollow,
    milestone_add,
    milestone_change,
    photo_add,
    photo_remove,
)
from wspolnota.implementation.tests.factories import image_upload, opened, results_edition
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory

pytestmark = pytest.mark.django_db
IS = ImplementationStatus


def change(implementation: Implementation, actor: Any, **values: Any) -> Update:
    arguments: dict[str, Any] = {
        "status": implementation.status,
        "progress": implementation.progress,
        "actual_cost": implementation.actual_cost,
        "responsible_unit": implementation.responsible_unit,
    }
    arguments.update(values)
    return implementation_change(actor=actor, implementation=implementation, **arguments)


def test_a_change_is_saved_audit_logged_and_published(edition: Any, official: Any) -> None:
    implementation = opened(edition)
    update = change(implementation, official, status=IS.DESIGN, progress="10", note="Projektujemy.")
    implementation.refresh_from_db()
    assert (implementation.status, implementation.progress) == (IS.DESIGN, 10)
    assert update.changes == {"status": ["planned", "design"], "progress": [0, 10]}
    assert update_lines(update) == [
        "Stan: zaplanowany → projektowanie.",
        "Zaawansowanie: 0% → 10%.",
    ]
    entry = AuditLogEntry.objects.get(action="implementation.change")
    assert entry.actor == official
    assert entry.before["status"] == "planned" and entry.after["status"] == "design"
    assert entry.reason == "Projektujemy."


def test_completing_needs_the_actual_cost_and_sets_progress_to_100(
    edition: Any, official: Any
) -> None:
    implementation = opened(edition)
    change(implementation, official, status=IS.IN_PROGRESS, progress=50)
    with pytest.raises(ImplementationError) as caught:
        change(implementation, official, status=IS.COMPLETED, progress=90)
    assert caught.value.field == "actual_cost"
    change(implementation, official, status=IS.COMPLETED, progress=90, actual_cost="140 000,50")
    implementation.refresh_from_db()
    assert implementation.progress == 100
    assert implementation.actual_cost == Decimal("140000.50")
    assert implementation.completed_on is not None
    assert implementation.cost_under == Decimal("9999.50")


def test_a_completed_implementation_takes_only_notes(edition: Any, official: Any) -> None:
    implementation = opened(edition)
    change(implementation, official, status=IS.IN_PROGRESS)
    change(implementation, official, status=IS.COMPLETED, actual_cost="150000")
    with pytest.raises(ImplementationError):
        change(implementation, official, status=IS.IN_PROGRESS)
    update = change(implementation, official, note="Gwarancja wykonawcy do 2029 r.")
    assert update.kind == "note"


def test_a_cancellation_needs_a_published_reason(edition: Any, official: Any) -> None:
    implementation = opened(edition)
    with pytest.raises(ImplementationError) as caught:
        change(implementation, official, status=IS.CANCELLED, cancel_reason="  ")
    assert caught.value.field == "cancel_reason"
    change(
        implementation, official, status=IS.CANCELLED, cancel_reason="Teren nie należy do miasta."
    )
    implementation.refresh_from_db()
    assert implementation.cancel_reason == "Teren nie należy do miasta."


def test_a_merge_names_another_open_task_of_the_edition(edition: Any, official: Any) -> None:
    implementation = opened(edition)
    target = opened(edition)
    with pytest.raises(ImplementationError):
        change(implementation, official, status=IS.MERGED)
    with pytest.raises(ImplementationError):
        change(implementation, official, status=IS.MERGED, merged_into=implementation)
    change(implementation, official, status=IS.MERGED, merged_into=target)
    implementation.refresh_from_db()
    assert implementation.merged_into == target


def test_a_status_may_not_jump_backwards_past_the_process(edition: Any, official: Any) -> None:
    implementation = opened(edition)
    change(implementation, official, status=IS.IN_PROGRESS)
    with pytest.raises(ImplementationError) as caught:
        change(implementation, official, status=IS.PLANNED)
    assert caught.value.field == "status"


@pytest.mark.parametrize("progress", ["101", "-1", "dużo", "50.5"])
def test_progress_outside_0_to_100_is_refused(edition: Any, official: Any, progress: str) -> None:
    implementation = opened(edition)
    with pytest.raises(ImplementationError) as caught:
        change(implementation, official, progress=progress)
    assert caught.value.field == "progress"
    assert Implementation.objects.get(pk=implementation.pk).progress == 0


@pytest.mark.parametrize("cost", ["-1", "-0,01", "abc", "NaN", "Infinity"])
def test_a_negative_or_nonsense_cost_is_refused(edition: Any, official: Any, cost: str) -> None:
    implementation = opened(edition)
    with pytest.raises(ImplementationError) as caught:
        change(implementation, official, actual_cost=cost)
    assert caught.value.field == "actual_cost"


def test_nothing_changed_and_no_note_is_refused(edition: Any, official: Any) -> None:
    implementation = opened(edition)
    with pytest.raises(ImplementationError):
        change(implementation, official)


def test_only_coordinators_hand_the_work_to_another_unit(krakow: Any, official: Any) -> None:
    from wspolnota.accounts.roles import Role

    unit = official.role_assignments.get(role=Role.OFFICIAL).city_unit
    edition = results_edition(krakow, coordinating_unit=CityUnitFactory())
    implementation = opened(edition, unit=unit)
    with pytest.raises(ImplementationError) as caught:
        change(implementation, official, responsible_unit=CityUnitFactory())
    assert caught.value.field == "responsible_unit"
    change(implementation, official, status=IS.DESIGN)  # its own unit may report on the work


@pytest.mark.parametrize(
    "persona", ["resident", "moderator", "district_councillor", "auditor", "ngo_member"]
)
def test_people_outside_the_city_units_may_not_change_anything(
    edition: Any, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    implementation = opened(edition)
    with pytest.raises(ImplementationPermissionError):
        change(implementation, user, status=IS.DESIGN)
    with pytest.raises(ImplementationPermissionError):
        milestone_add(
            actor=user, implementation=implementation, description="x", planned_date=date.today()
        )
    with pytest.raises(ImplementationPermissionError):
        photo_add(actor=user, implementation=implementation, upload=image_upload(), alt_text="x")


def test_an_official_of_an_unrelated_unit_may_not_change_it(krakow: Any, official: Any) -> None:
    edition = results_edition(krakow, coordinating_unit=CityUnitFactory())
    implementation = opened(edition, unit=CityUnitFactory())
    with pytest.raises(ImplementationPermissionError):
        change(implementation, official, status=IS.DESIGN)


def test_milestones_are_added_and_completed_with_updates(edition: Any, official: Any) -> None:
    implementation = opened(edition)
    milestone = milestone_add(
        actor=official,
        implementation=implementation,
        description="Przetarg",
        planned_date=date(2026, 5, 1),
    )
    milestone_change(
        actor=official,
        milestone=milestone,
        description="Przetarg",
        planned_date=date(2026, 5, 1),
        actual_date=date(2026, 5, 7),
    )
    lines = [line for u in implementation.updates.all() for line in update_lines(u)]
    assert any(line.startswith("Nowy etap: Przetarg") for line in lines)
    assert any(line.startswith("Etap wykonany: Przetarg") for line in lines)
    assert AuditLogEntry.objects.filter(action__startswith="implementation.milestone").count() == 2
    with pytest.raises(ImplementationError):
        milestone_add(
            actor=official,
            implementation=implementation,
            description=" ",
            planned_date=date.today(),
        )


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_photo_is_stored_with_its_alt_text(edition: Any, official: Any, fmt: str) -> None:
    implementation = opened(edition)
    photo = photo_add(
        actor=official,
        implementation=implementation,
        upload=image_upload(f"zdjecie.{fmt.lower()}", fmt),
        alt_text="Plac zabaw z nową huśtawką",
    )
    assert (photo.width, photo.height) == (40, 30)
    assert photo.image.storage.exists(photo.image.name)


def test_a_photo_without_alt_text_is_refused(edition: Any, official: Any) -> None:
    implementation = opened(edition)
    with pytest.raises(ImplementationError) as caught:
        photo_add(
            actor=official, implementation=implementation, upload=image_upload(), alt_text=" "
        )
    assert caught.value.field == "alt_text"


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(
    edition: Any, official: Any
) -> None:
    implementation = opened(edition)
    fake = SimpleUploadedFile("zdjecie.png", b"%PDF-1.4 not an image", content_type="image/png")
    with pytest.raises(ImplementationError) as caught:
        photo_add(actor=official, implementation=implementation, upload=fake, alt_text="Plac")
    assert caught.value.field == "image"
    assert not implementation.photos.exists()


def test_a_gif_is_refused(edition: Any, official: Any) -> None:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="GIF")
    gif = SimpleUploadedFile("a.gif", buffer.getvalue(), content_type="image/gif")
    with pytest.raises(ImplementationError):
        photo_add(actor=official, implementation=opened(edition), upload=gif, alt_text="Plac")


def test_a_photo_over_the_size_limit_is_refused(edition: Any, official: Any, settings: Any) -> None:
    settings.IMPLEMENTATION_PHOTO_MAX_MB = 1
    big = SimpleUploadedFile(
        "duze.png", b"\x89PNG" + b"0" * (1024 * 1024 + 1), content_type="image/png"
    )
    with pytest.raises(ImplementationError) as caught:
        photo_add(actor=official, implementation=opened(edition), upload=big, alt_text="Plac")
    assert "1 MB" in str(caught.value)


def test_a_removed_photo_is_gone_and_logged(
    edition: Any, official: Any, django_capture_on_commit_callbacks: Any
) -> None:
    implementation = opened(edition)
    photo = photo_add(
        actor=official, implementation=implementation, upload=image_upload(), alt_text="Plac"
    )
    name, storage = photo.image.name, photo.image.storage
    with django_capture_on_commit_callbacks(execute=True):
        photo_remove(actor=official, photo=photo)
    assert not implementation.photos.exists()
    assert not storage.exists(name)
    assert AuditLogEntry.objects.filter(action="implementation.photo_remove").exists()


def test_followers_are_told_of_a_change_in_their_own_language(
    edition: Any, official: Any, django_capture_on_commit_callbacks: Any
) -> None:
    implementation = opened(edition, title="Zielony skwer")
    polish = UserFactory(preferred_language="pl")
    ukrainian = UserFactory(preferred_language="uk")
    english = UserFactory(preferred_language="en")
    for user in (polish, ukrainian, english):
        assert implementation_follow(user=user, implementation=implementation)
    with django_capture_on_commit_callbacks(execute=True):
        change(implementation, official, status=IS.DESIGN, progress=5, note="Start projektu.")
    messages = {m.user_id: m for m in OutboxMessage.objects.filter(kind="implementation.update")}
    assert set(messages) >= {polish.pk, ukrainian.pk, english.pk}
    assert "Zielony skwer" in messages[polish.pk].subject
    assert "Stan: zaplanowany → projektowanie." in messages[polish.pk].body
    assert "Start projektu." in messages[english.pk].body
    assert messages[english.pk].language == "en"
    assert messages[ukrainian.pk].body != messages[polish.pk].body


def test_after_unfollowing_nobody_is_told(
    edition: Any, official: Any, resident: Any, django_capture_on_commit_callbacks: Any
) -> None:
    implementation = opened(edition, author=None)
    implementation_follow(user=resident, implementation=implementation)
    assert not implementation_follow(user=resident, implementation=implementation)
    assert implementation_unfollow(user=resident, implementation=implementation)
    assert not implementation_unfollow(user=resident, implementation=implementation)
    with django_capture_on_commit_callbacks(execute=True):
        change(implementation, official, status=IS.DESIGN)
    assert not OutboxMessage.objects.filter(kind="implementation.update").exists()
    implementation.refresh_from_db()
    assert implementation.followers_count == 0


def test_an_anonymous_visitor_cannot_follow(edition: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ImplementationPermissionError):
        implementation_follow(user=AnonymousUser(), implementation=opened(edition))  # type: ignore[arg-type]
