"""The resident's thread: where a project is in its life, from the idea to the built thing.

The budget app knows the steps up to the ballot (submitted, verified or rejected with reasons,
appealed, on the ballot). Later steps belong to other apps, which plug in without this app
importing them: an AppConfig may name

- ``budget_project_thread = "dotted.path"`` — ``f(project, *, at) -> list[ThreadStep]``, the
  steps that app knows about one project (the vote's outcome once published; the building);
- ``budget_project_stages = "dotted.path"`` — ``f(edition, *, at) -> dict[str, set[int]]``, for
  each of the ``LATER_STAGES`` the ids of the edition's projects in it, so that the catalogue
  filters and labels them with a fixed number of queries whatever the number of projects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import TextChoices
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wspolnota.budget.models import ProjectStatus

if TYPE_CHECKING:
    from wspolnota.budget.models import Edition, Project

S = ProjectStatus


class LaterStage(TextChoices):
    """Stages after the ballot, most advanced last: a project shows the last it has reached."""

    NOT_SELECTED = "not_selected", _("niewybrany w głosowaniu")
    SELECTED = "selected", _("wybrany w głosowaniu")
    IN_PROGRESS = "in_progress", _("w realizacji")
    COMPLETED = "completed", _("zrealizowany")


LATER_STAGES: list[str] = list(LaterStage.values)


class StepState(TextChoices):
    DONE = "done", _("zakończony")
    CURRENT = "current", _("trwa")
    FAILED = "failed", _("zakończony negatywnie")


@dataclass(frozen=True)
class ThreadPhoto:
    url: str
    alt: str


@dataclass(frozen=True)
class ThreadStep:
    """One step of a project's life as its page shows it."""

    key: str
    label: str
    state: str = StepState.DONE
    at: datetime | None = None
    details: list[str] = field(default_factory=list)
    link_url: str = ""
    link_label: str = ""
    progress: int | None = None
    photos: list[ThreadPhoto] = field(default_factory=list)


@cache
def _providers(attribute: str) -> list[Callable[..., Any]]:
    found = []
    for config in apps.get_app_configs():
        path = getattr(config, attribute, None)
        if path:
            found.append(import_string(path))
    return found


def _own_steps(project: Project, *, appeal: Any) -> list[ThreadStep]:
    steps: list[ThreadStep] = []
    edition = project.edition
    if project.submitted_at is not None:
        steps.append(
            ThreadStep(
                "submitted",
                gettext("Zgłoszony"),
                at=project.submitted_at,
                details=[
                    gettext("Poparło: %(n)s z wymaganych %(required)s osób.")
                    % {"n": project.supporters_count, "required": edition.supporters_required}
                ],
                state=StepState.CURRENT if project.status == S.SUBMITTED else StepState.DONE,
            )
        )
    if project.status in (S.IN_VERIFICATION, S.CORRECTION_REQUESTED):
        steps.append(ThreadStep("verification", gettext("W weryfikacji"), state=StepState.CURRENT))
    reasons = [project.verification_reasons] if project.verification_reasons else []
    negative = project.status in (S.VERIFIED_NEGATIVE, S.APPEALED) or appeal is not None
    if project.verified_at is not None or project.status in (
        S.VERIFIED_POSITIVE,
        S.VERIFIED_NEGATIVE,
        S.ON_BALLOT,
    ):
        if negative:
            steps.append(
                ThreadStep(
                    "rejected",
                    gettext("Zweryfikowany negatywnie"),
                    state=StepState.FAILED,
                    at=project.verified_at,
                    details=reasons,
                )
            )
        else:
            steps.append(
                ThreadStep(
                    "verified",
                    gettext("Zweryfikowany pozytywnie"),
                    at=project.verified_at,
                    details=reasons,
                )
            )
    if appeal is not None:
        details = []
        if appeal.decision:
            details.append(f"{appeal.get_decision_display()}: {appeal.decision_reasons}".strip())
        steps.append(
            ThreadStep(
                "appealed",
                gettext("Odwołanie"),
                at=appeal.created_at,
                details=details,
                state=StepState.DONE
                if appeal.decision == "accepted"
                else StepState.FAILED
                if appeal.decision
                else StepState.CURRENT,
            )
        )
    if project.status == S.ON_BALLOT:
        steps.append(
            ThreadStep(
                "on_ballot",
                gettext("Na liście do głosowania"),
                at=edition.final_list_published_at,
            )
        )
    if project.status == S.WITHDRAWN:
        steps.append(
            ThreadStep(
                "withdrawn",
                gettext("Wycofany przez autora"),
                state=StepState.FAILED,
                at=project.withdrawn_at,
                details=[project.withdrawal_reason] if project.withdrawal_reason else [],
            )
        )
    if project.status == S.MERGED:
        steps.append(
            ThreadStep("merged", gettext("Połączony z innym projektem"), state=StepState.FAILED)
        )
    return steps


def project_thread(*, project: Project, at: datetime, appeal: Any = None) -> list[ThreadStep]:
    """Every step the project has reached, in order; later steps only from published facts."""
    if not project.is_public:
        return []
    steps = _own_steps(project, appeal=appeal)
    if project.status == S.ON_BALLOT:
        for provider in _providers("budget_project_thread"):
            steps.extend(provider(project, at=at))
    return steps


def edition_stages(*, edition: Edition, at: datetime) -> dict[str, set[int]]:
    """For each later stage, the ids of the edition's projects that reached it."""
    stages: dict[str, set[int]] = {key: set() for key in LATER_STAGES}
    for provider in _providers("budget_project_stages"):
        for key, ids in provider(edition, at=at).items():
            if key in stages:
                stages[key] |= set(ids)
    return stages


def stage_of(project_id: int, stages: dict[str, set[int]]) -> str:
    """The most advanced later stage the project reached, or ""."""
    for key in reversed(LATER_STAGES):
        if project_id in stages.get(key, ()):
            return key
    return ""
