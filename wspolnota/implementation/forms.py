"""Forms of the implementation app. They carry what people type; services decide the rules.

Progress and cost are text fields on purpose: the service reads "1 234,50" as well as "1234.50"
and answers a wrong value with a message of its own, while the page keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wspolnota.accounts.models import CityUnit
from wspolnota.budget.models import Edition, Project
from wspolnota.implementation import errors
from wspolnota.implementation.models import Implementation, ImplementationStatus
from wspolnota.territory.models import District

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CITYWIDE = "ogolnomiejskie"


class FilterForm(forms.Form):
    edition = forms.TypedChoiceField(
        label=_("Edycja"), required=False, coerce=int, empty_value=None
    )
    district = forms.ChoiceField(
        label=pgettext_lazy("pula: miasto lub dzielnica", "Obszar"), required=False
    )
    status = forms.ChoiceField(label=_("Stan realizacji"), required=False)
    unit = forms.TypedChoiceField(
        label=_("Jednostka realizująca"), required=False, coerce=int, empty_value=None
    )
    q = forms.CharField(label=_("Tytuł lub numer projektu"), required=False, max_length=100)

    def __init__(
        self,
        *args: Any,
        editions: list[Edition],
        districts: list[District],
        units: list[CityUnit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["edition"].choices = [("", _("wszystkie"))] + [
            (e.year, e.name) for e in editions
        ]
        self.fields["district"].choices = [
            ("", _("wszystkie")),
            (CITYWIDE, _("projekty ogólnomiejskie")),
        ] + [(str(d.number), d.full_name) for d in districts]
        self.fields["status"].choices = [("", _("wszystkie")), *ImplementationStatus.choices]
        self.fields["unit"].choices = [("", _("wszystkie"))] + [(u.pk, u.name) for u in units]


class ChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("Stan realizacji"), choices=ImplementationStatus.choices)
    progress = forms.CharField(
        label=_("Zaawansowanie (%)"),
        max_length=10,
        help_text=_("Liczba od 0 do 100."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    actual_cost = forms.CharField(
        label=_("Koszt rzeczywisty (zł)"),
        required=False,
        max_length=30,
        help_text=_("Na przykład 148 500,00. Puste, dopóki koszt nie jest znany."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    responsible_unit = forms.ModelChoiceField(
        label=_("Jednostka realizująca"),
        queryset=CityUnit.objects.order_by("name"),
        required=False,
        help_text=_("Zmieniają ją urzędnicy jednostki koordynującej budżet obywatelski."),
    )
    cancel_reason = forms.CharField(
        label=_("Powód odstąpienia od realizacji"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wymagany, gdy stan to „odstąpiono od realizacji”; zostanie opublikowany."),
    )
    merged_into = forms.ModelChoiceField(
        label=_("Połączono z zadaniem"),
        queryset=Implementation.objects.none(),
        required=False,
        help_text=_("Wymagane, gdy stan to „połączony z innym zadaniem”."),
    )
    completed_on = forms.DateField(
        label=_("Data zakończenia"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Puste: dziś, gdy projekt oznaczono jako zrealizowany."),
    )
    note = forms.CharField(
        label=_("Informacja dla mieszkańców"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Co się wydarzyło i co dalej. Ukaże się w dzienniku realizacji."),
    )

    def __init__(self, *args: Any, merge_targets: QuerySet[Implementation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["merged_into"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = merge_targets
        field.label_from_instance = lambda obj: str(obj.project)  # type: ignore[method-assign]


class MilestoneForm(forms.Form):
    description = forms.CharField(
        label=_("Opis etapu"),
        max_length=300,
        error_messages={"required": errors.MILESTONE_DESCRIPTION},
    )
    planned_date = forms.DateField(
        label=_("Data planowana"),
        widget=DATE_INPUT,
        error_messages={"required": errors.MILESTONE_DATE},
    )
    actual_date = forms.DateField(
        label=_("Data faktyczna"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Wpisz, gdy etap się odbył."),
    )


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Zdjęcie"),
        help_text=_("JPEG, PNG lub WebP, najwyżej %(max)s MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("Tekst alternatywny"),
        max_length=300,
        help_text=_(
            "Co widać na zdjęciu — dla osób, które go nie widzą, np. „Nowy plac zabaw z huśtawkami przy ul. Długiej”."
        ),
        error_messages={"required": errors.PHOTO_ALT_REQUIRED},
    )
    caption = forms.CharField(label=_("Podpis"), required=False, max_length=300)
    taken_on = forms.DateField(label=_("Data zdjęcia"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, max_mb: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = str(self.fields["image"].help_text) % {"max": max_mb}


class OpenForm(forms.Form):
    projects = forms.TypedMultipleChoiceField(
        label=_("Projekty do realizacji"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": errors.NO_PROJECTS},
    )

    def __init__(self, *args: Any, projects: list[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [
            (p.pk, f"{p.number} {p.title} — {p.pool.label}" if p.number else p.title)
            for p in projects
        ]


class ConfirmForm(forms.Form):
    """An empty form: a POST with the CSRF token is the whole request (follow, unfollow, remove)."""
