"""Forms of the coordinating unit's set-up pages. They parse; the services decide the rules.

A field the phase has locked is shown disabled, with the reason as its help text, so the page
says why it cannot change (and a forged POST is ignored for it by Django and refused by the
service anyway).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.models import CityUnit, User
from wspolnota.budget.forms import LenientDecimalField, OfficialChoiceField, UnitChoiceField
from wspolnota.budget.models import OPEN_CASE_STATUSES, Category, Edition, Project
from wspolnota.budget.permissions import Refusal
from wspolnota.budget.services import EDITION_SETTINGS
from wspolnota.territory.models import District

MONEY_MAX = Decimal("999999999999")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _money_field(label: Any, **kwargs: Any) -> LenientDecimalField:
    return LenientDecimalField(label=label, max_abs=MONEY_MAX, **kwargs)


def lock_fields(form: forms.BaseForm, locks: dict[str, Refusal]) -> None:
    """Disable the locked fields and say why."""
    for name, refusal in locks.items():
        if name in form.fields:
            form.fields[name].disabled = True
            form.fields[name].help_text = str(refusal.message)


class EditionChoiceField(forms.ModelChoiceField[Edition]):
    def label_from_instance(self, obj: Edition) -> str:
        return f"{obj.name} ({obj.year})"


class EditionNewForm(forms.Form):
    year = forms.IntegerField(label=_("Rok"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Nazwa edycji"), max_length=200)
    total_budget = _money_field(_("Łączna kwota (zł)"))
    coordinating_unit = UnitChoiceField(
        queryset=CityUnit.objects.none(),
        label=_("Jednostka koordynująca"),
        help_text=_("Tylko jej urzędnicy ustawiają i prowadzą tę edycję."),
    )
    copy_from = EditionChoiceField(
        queryset=Edition.objects.none(),
        label=_("Zacznij od edycji"),
        required=False,
        empty_label=_("— od zera —"),
        help_text=_(
            "Kopiuje zasady, daty etapów (przesunięte na nowy rok) i pule z kwotami i limitami."
        ),
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[CityUnit],
        editions: QuerySet[Edition],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinating_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["copy_from"].queryset = editions  # type: ignore[attr-defined]
        latest = editions.first()
        if latest is not None and not self.is_bound:
            self.initial.setdefault("year", latest.year + 1)
            self.initial.setdefault("copy_from", latest.pk)
            self.initial.setdefault("coordinating_unit", latest.coordinating_unit_id)
        if units.count() == 1 and not self.is_bound:
            self.initial.setdefault("coordinating_unit", units.first().pk)  # type: ignore[union-attr]

    def clean_total_budget(self) -> Decimal:
        value = self.cleaned_data.get("total_budget")
        if value is None:
            raise forms.ValidationError(_("Podaj kwotę."), code="required")
        return Decimal(value)


class EditionSettingsForm(forms.ModelForm[Edition]):
    total_budget = _money_field(_("Łączna kwota (zł)"))
    withdrawal_deadline = forms.DateTimeField(
        label=_("Wycofanie projektu do"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
    )
    categories = forms.MultipleChoiceField(
        label=_("Kategorie projektów"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nic nie zaznaczono: wszystkie kategorie."),
    )

    class Meta:
        model = Edition
        fields = list(EDITION_SETTINGS)

    def __init__(self, *args: Any, locks: dict[str, Refusal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("supporters_required", "support_days", "appeal_days"):
            field = self.fields[name]
            assert isinstance(field, forms.IntegerField)
            field.max_value = 1000
            field.validators.append(MaxValueValidator(1000))
        lock_fields(self, locks)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EDITION_SETTINGS}


class DistrictChoiceField(forms.ModelChoiceField[District]):
    def label_from_instance(self, obj: District) -> str:
        return obj.full_name


class PoolForm(forms.Form):
    district = DistrictChoiceField(
        queryset=District.objects.none(),
        label=_("Obszar puli"),
        required=False,
        empty_label=_("całe miasto (pula ogólnomiejska)"),
    )
    budget = _money_field(_("Kwota puli (zł)"))
    min_project_cost = _money_field(_("Najniższy koszt projektu (zł)"))
    max_project_cost = _money_field(_("Najwyższy koszt projektu (zł)"))

    def __init__(
        self,
        *args: Any,
        edition: Edition,
        locks: dict[str, Refusal],
        existing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        field.queryset = District.objects.filter(city=edition.city).order_by(  # type: ignore[attr-defined]
            "number"
        )
        if existing:
            field.disabled = True
        mapped = {
            "budget": locks.get("pool_budget"),
            "min_project_cost": locks.get("pool_limits"),
            "max_project_cost": locks.get("pool_limits"),
        }
        lock_fields(self, {name: r for name, r in mapped.items() if r is not None})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("budget", "min_project_cost", "max_project_cost"):
            if name in self.fields and data.get(name) is None and name not in self.errors:
                self.add_error(name, _("Podaj kwotę."))
        return data


class ProjectChoices(forms.ModelMultipleChoiceField[Project]):
    def label_from_instance(self, obj: Project) -> str:
        return f"{obj.number} {obj.title} ({obj.get_status_display()})"


class BulkAssignForm(forms.Form):
    projects = ProjectChoices(
        queryset=Project.objects.none(),
        label=_("Projekty"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Zaznacz co najmniej jeden projekt.")},
    )
    unit = UnitChoiceField(
        queryset=CityUnit.objects.order_by("name"), label=_("Jednostka prowadząca weryfikację")
    )
    official = OfficialChoiceField(
        queryset=User.objects.none(),
        label=_("Urzędnik prowadzący (nieobowiązkowo)"),
        required=False,
        empty_label=_("— dowolny urzędnik jednostki —"),
    )

    def __init__(self, *args: Any, edition: Edition, officials: QuerySet[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = (  # type: ignore[attr-defined]
            Project.objects.filter(edition=edition, status__in=OPEN_CASE_STATUSES)
            .select_related("pool__district")
            .order_by("pool__kind", "pool__district__number", "sequence", "id")
        )
        self.fields["official"].queryset = officials  # type: ignore[attr-defined]
