from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wspolnota.monitoring.csvio import parse_decimal
from wspolnota.monitoring.models import (
    Indicator,
    NodeKind,
    PopulationTable,
    Series,
    StrategyNode,
)
from wspolnota.territory.models import District

MAX_UPLOAD = 5 * 1024 * 1024


class DecimalTextField(forms.CharField):
    """A number typed with a decimal comma or point ("5,35" or "5.35")."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_decimal(text)
        except (ArithmeticError, ValueError):
            raise forms.ValidationError(_("Wpisz liczbę, np. 5,35."), code="invalid") from None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _year_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year - 1
    )


class UploadField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is not None and upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Plik jest za duży (najwyżej 5 MB)."), code="too_large")
        return upload


class MeasurementForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Wskaźnik"), queryset=Indicator.objects.order_by("position")
    )
    year = _year_field(_("Rok"))
    district = forms.ModelChoiceField(
        label=_("Dzielnica"),
        queryset=District.objects.order_by("number"),
        required=False,
        empty_label=_("całe miasto"),
    )
    value = DecimalTextField(label=_("Wartość"), help_text=_("Odsetki w procentach, np. 40,3."))
    source = forms.CharField(
        label=_("Źródło"),
        max_length=300,
        help_text=_("Np. Barometr Krakowski 2024, MOPS Kraków – sprawozdanie roczne."),
    )
    source_url = forms.URLField(label=_("Adres źródła"), required=False, assume_scheme="https")
    reference_date = forms.DateField(label=_("Stan na dzień"), widget=DateInput())
    series = forms.ChoiceField(
        label=_("Seria (źródło i metoda)"),
        choices=Series.choices,
        initial=Series.OFFICIAL,
        required=False,  # not given: the strategy's series, as for any value entered by hand
        help_text=_(
            "Seria strategii tylko wtedy, gdy wartość pochodzi z tego samego źródła i jest liczona "
            "tą samą metodą co wartości w strategii; inaczej linia wskaźnika zostanie przerwana."
        ),
    )
    coverage = forms.CharField(
        label=_("Zakres i wyłączenia"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Co wartość obejmuje, a czego nie (np. tylko wnioski złożone na platformie)."),
    )
    note = forms.CharField(
        label=_("Uwagi"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].label_from_instance = lambda obj: obj.display_name  # type: ignore[attr-defined]
        self.fields["district"].label_from_instance = lambda obj: obj.full_name  # type: ignore[attr-defined]


class ReportDraftForm(forms.Form):
    """The strategy office's text of a draft report: a summary and commentary per indicator and
    key action (fields ``indicator:<code>`` and ``action:<number>``)."""

    summary = forms.CharField(
        label=_("Podsumowanie"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    responsible_unit = forms.CharField(label=_("Jednostka odpowiedzialna"), max_length=200)
    adoption_reference = forms.CharField(
        label=_("Dokument przyjęcia (np. zarządzenie)"), max_length=200, required=False
    )
    version_note = forms.CharField(
        label=_("Co zmieniono w tej wersji"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wymagane od wersji 2: co poprawiono względem poprzedniej."),
    )

    def __init__(
        self,
        *args: Any,
        indicators: list[Indicator],
        actions: list[StrategyNode],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for indicator in indicators:
            self.fields[f"indicator:{indicator.code}"] = forms.CharField(
                label=_("Komentarz: %(name)s") % {"name": indicator.display_name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        for action in actions:
            self.fields[f"action:{action.number}"] = forms.CharField(
                label=_("Komentarz: %(label)s") % {"label": action.label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def commentary(self) -> dict[str, str]:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if key.startswith(("indicator:", "action:"))
        }


class ReportAdoptForm(forms.Form):
    adopted_on = forms.DateField(
        label=_("Data przyjęcia"), widget=DateInput(), initial=lambda: timezone.localdate()
    )


class ComputeForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Wskaźnik"), queryset=Indicator.objects.order_by("position")
    )
    year = _year_field(_("Rok"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].label_from_instance = lambda obj: obj.display_name  # type: ignore[attr-defined]


class CsvImportForm(forms.Form):
    file = UploadField(
        label=_("Plik CSV"),
        help_text=_(
            "Kolumny: wskaznik, rok, dzielnica (pusta = całe miasto), wartosc, zrodlo, stan_na "
            "(RRRR-MM-DD); opcjonalnie adres_zrodla, uwagi, licznik, mianownik. Separator: przecinek "
            "lub średnik, kodowanie UTF-8."
        ),
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód odrzucenia"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PopulationImportForm(forms.Form):
    title = forms.CharField(label=_("Nazwa tabeli"), max_length=200)
    reference_date = forms.DateField(label=_("Stan na dzień"), widget=DateInput())
    source = forms.CharField(
        label=_("Źródło"),
        max_length=300,
        help_text=_("Np. GUS, Bank Danych Lokalnych; Urząd Miasta Krakowa – ewidencja ludności."),
    )
    file = UploadField(
        label=_("Plik CSV"),
        help_text=_("Kolumny: dzielnica, plec (K/M), wiek_od, wiek_do (pusta = i więcej), liczba."),
    )


class SurveyImportForm(forms.Form):
    title = forms.CharField(label=_("Nazwa badania"), max_length=200)
    year = _year_field(_("Rok"))
    fieldwork_end = forms.DateField(label=_("Koniec badania"), widget=DateInput())
    source = forms.CharField(label=_("Źródło"), max_length=300)
    question = forms.CharField(
        label=_("Pytanie"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = UploadField(
        label=_("Plik CSV"),
        help_text=_(
            "Jeden wiersz na osobę: dzielnica, plec (K/M), wiek, zadowolony (1 = tak, 0 = nie)."
        ),
    )


class SurveyProposeForm(forms.Form):
    table = forms.ModelChoiceField(
        label=_("Tabela ludności (marginesy)"),
        queryset=PopulationTable.objects.order_by("-reference_date"),
    )


class LinkForm(forms.Form):
    year = _year_field(_("Rok"))
    title = forms.CharField(label=_("Co zrobiono (tytuł)"), max_length=300)
    description = forms.CharField(
        label=_("Opis"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(
        label=_("Adres strony na platformie"),
        required=False,
        max_length=300,
        help_text=_(
            "Np. /pl/budzet-obywatelski/… – edycja budżetu, konsultacja, nabór grantów, miejsce, ogłoszenie."
        ),
    )
    external_url = forms.URLField(
        label=_("albo adres zewnętrzny"), required=False, assume_scheme="https"
    )


class NodeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Rodzaj"),
        choices=[
            (NodeKind.PROGRAMME, NodeKind.PROGRAMME.label),
            (NodeKind.PROJECT, NodeKind.PROJECT.label),
        ],
    )
    title = forms.CharField(label=_("Nazwa"), max_length=500)
    description = forms.CharField(
        label=_("Opis"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_unit = forms.CharField(
        label=_("Jednostka odpowiedzialna"), required=False, max_length=200
    )
    start_year = forms.IntegerField(
        label=_("Rok rozpoczęcia"), required=False, min_value=2000, max_value=2100
    )
    end_year = forms.IntegerField(
        label=_("Rok zakończenia"), required=False, min_value=2000, max_value=2100
    )


class MoveForm(forms.Form):
    parent = forms.ModelChoiceField(
        label=_("Cel operacyjny"),
        queryset=StrategyNode.objects.filter(kind=NodeKind.OPERATIONAL).order_by("position"),
    )
    reason = forms.CharField(label=_("Uzasadnienie"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].label_from_instance = lambda obj: f"{obj.label}: {obj.display_title}"  # type: ignore[attr-defined]
