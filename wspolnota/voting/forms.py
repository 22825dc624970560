"""Forms of the voting pages. The ballot form is built from the edition's rules and pools."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wspolnota.budget.models import Pool, Project
from wspolnota.core.parsing import MAX_ID, is_number
from wspolnota.territory.models import District
from wspolnota.voting.models import BallotKind, CountingRule, DocumentKind, VotingRules
from wspolnota.voting.services import Selection

SEX_CHOICES = [("", _("— wybierz —")), ("F", _("kobieta")), ("M", _("mężczyzna"))]


class IdentityForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("Dzielnica zamieszkania"),
        queryset=District.objects.none(),
        empty_label=_("— wybierz dzielnicę —"),
        error_messages={"required": _("Wybierz dzielnicę, w której mieszkasz.")},
        help_text=_(
            "Zagłosujesz na projekty tej dzielnicy; możesz ją zmienić, dopóki nie oddasz głosu."
        ),
    )
    full_name = forms.CharField(
        label=_("Imię i nazwisko"),
        max_length=150,
        error_messages={"required": _("Podaj imię i nazwisko.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    birth_date = forms.DateField(
        label=_("Data urodzenia"),
        help_text=_("Na przykład 2010-05-31."),
        error_messages={
            "required": _("Podaj datę urodzenia."),
            "invalid": _("Podaj datę w formacie RRRR-MM-DD, np. 2010-05-31."),
        },
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )
    sex = forms.ChoiceField(
        label=_("Płeć"),
        choices=SEX_CHOICES,
        error_messages={"required": _("Wybierz płeć.")},
    )
    pesel = forms.CharField(
        label=_("Numer PESEL (nieobowiązkowy)"),
        max_length=20,
        required=False,
        help_text=_(
            "Nie musisz go podawać. Jeśli podasz, musi się zgadzać z datą urodzenia i płcią. "
            "Przechowujemy tylko skrót (hash) z kluczem, nigdy sam numer."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Adres zamieszkania w mieście (nieobowiązkowy)"),
        max_length=200,
        required=False,
        help_text=_(
            "Służy tylko do wykrywania nadużyć (wiele osób z jednego adresu); przechowujemy "
            "jedynie skrót z kluczem."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    guardian_declared = forms.BooleanField(label="", required=False)
    residence_declared = forms.BooleanField(
        label=_("Oświadczam, że mieszkam w tym mieście i że podane dane są prawdziwe."),
        error_messages={"required": _("Potwierdź oświadczenie o zamieszkaniu.")},
    )
    consent_statistics = forms.BooleanField(
        label=_(
            "Zgadzam się, by w otwartych danych przy mojej karcie podano przedział wieku i płeć."
        ),
        required=False,
    )

    def __init__(
        self, *args: Any, districts: Any, fixed_district: District | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = districts
        if fixed_district is not None:
            self.initial.setdefault("district", fixed_district.pk)
        from django.conf import settings

        guardian = self.fields["guardian_declared"]
        guardian.label = _(
            "Głosuję w imieniu dziecka jako jego rodzic lub opiekun prawny, za jego zgodą "
            "(oświadczenie wymagane dla dzieci poniżej %(age)d lat)."
        ) % {"age": settings.VOTING_GUARDIAN_AGE}


class BallotDistrictForm(forms.Form):
    """The district of residence, changed on the ballot page until the ballot is cast."""

    district = forms.ModelChoiceField(
        label=_("Dzielnica zamieszkania"),
        queryset=District.objects.none(),
        empty_label=None,
        error_messages={"required": _("Wybierz dzielnicę, w której mieszkasz.")},
    )

    def __init__(self, *args: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = districts


class BallotForm(forms.Form):
    """One fieldset per pool: ranked places (Kraków), check boxes (approval, cart) or points."""

    def __init__(
        self,
        *args: Any,
        rules: VotingRules,
        pools: list[tuple[Pool, dict[int, Project]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.pools = pools
        self.pool_fields: dict[int, list[str]] = {}
        self.pool_errors: dict[int, list[str]] = {}
        kind = rules.ballot_kind
        for pool, projects in pools:
            names: list[str] = []
            options = [(str(pk), f"{p.number} {p.title}".strip()) for pk, p in projects.items()]
            if kind == BallotKind.KRAKOW:
                for rank in range(1, rules.picks_per_pool + 1):
                    name = f"pool_{pool.pk}_{rank}"
                    points = rules.picks_per_pool - rank + 1
                    self.fields[name] = forms.ChoiceField(
                        label=_("Miejsce %(rank)d (%(points)d pkt)")
                        % {"rank": rank, "points": points},
                        choices=[("", _("— bez wyboru —")), *options],
                        required=False,
                    )
                    names.append(name)
            elif kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
                name = f"pool_{pool.pk}"
                self.fields[name] = forms.MultipleChoiceField(
                    label=pool.label,
                    choices=options,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
                names.append(name)
            else:
                for pk, project in projects.items():
                    name = f"pool_{pool.pk}_p{pk}"
                    self.fields[name] = forms.IntegerField(
                        label=f"{project.number} {project.title}".strip(),
                        required=False,
                        min_value=0,
                        max_value=rules.cumulative_points,
                        error_messages={
                            "invalid": _("Podaj liczbę całkowitą punktów."),
                            "min_value": _("Liczba punktów nie może być ujemna."),
                            "max_value": _("Za dużo punktów."),
                        },
                    )
                    names.append(name)
            self.pool_fields[pool.pk] = names

    def fieldsets(self) -> list[dict[str, Any]]:
        return [
            {
                "pool": pool,
                "projects": projects,
                "fields": [self[name] for name in self.pool_fields[pool.pk]],
                "errors": self.pool_errors.get(pool.pk, []),
            }
            for pool, projects in self.pools
        ]

    def add_pool_error(self, field: str | None, message: str) -> None:
        if field and field.startswith("pool_"):
            pool_id = int(field.split("_")[1])
            self.pool_errors.setdefault(pool_id, []).append(message)
        self.add_error(None, message)

    def selection(self) -> Selection:
        """The choices as the service reads them (call after ``is_valid``)."""
        data = self.cleaned_data
        kind = self.rules.ballot_kind
        out: Selection = {}
        for pool, projects in self.pools:
            entries: list[tuple[int | None, int]] = []
            if kind == BallotKind.KRAKOW:
                for name in self.pool_fields[pool.pk]:
                    value = data.get(name) or ""
                    entries.append((int(value) if is_number(value, max_value=MAX_ID) else None, 0))
            elif kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
                entries = [(int(v), 1) for v in data.get(self.pool_fields[pool.pk][0]) or []]
            else:
                for pk in projects:
                    points = data.get(f"pool_{pool.pk}_p{pk}")
                    if points:
                        entries.append((pk, int(points)))
            # trailing empty places carry no meaning
            while entries and entries[-1][0] is None:
                entries.pop()
            out[pool.pk] = entries
        return out


def selection_to_data(selection: Selection, rules: VotingRules) -> dict[str, Any]:
    """Form data that re-creates a selection (hidden fields on the review page)."""
    data: dict[str, Any] = {}
    for pool_id, entries in selection.items():
        if rules.ballot_kind == BallotKind.KRAKOW:
            for rank, (pid, _points) in enumerate(entries, start=1):
                data[f"pool_{pool_id}_{rank}"] = "" if pid is None else str(pid)
        elif rules.ballot_kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
            data[f"pool_{pool_id}"] = [str(pid) for pid, _p in entries]
        else:
            for pid, points in entries:
                data[f"pool_{pool_id}_p{pid}"] = str(points)
    return data


class PaperEntryForm(IdentityForm):
    number = forms.CharField(
        label=_("Numer karty"), max_length=30, error_messages={"required": _("Podaj numer karty.")}
    )
    receipt_code = forms.CharField(
        label=_("Kod potwierdzenia z odcinka karty"),
        max_length=20,
        required=False,
        help_text=_("12 znaków wydrukowanych na karcie i na odcinku, który zabrał głosujący."),
    )
    document_kind = forms.ChoiceField(
        label=_("Sprawdzony dokument tożsamości"),
        choices=[("", _("— wybierz —")), *DocumentKind.choices],
        required=False,
    )
    field_order = [
        "number",
        "receipt_code",
        "document_kind",
        "district",
        "full_name",
        "birth_date",
        "sex",
        "pesel",
        "address",
        "guardian_declared",
        "residence_declared",
        "consent_statistics",
    ]


class AdjudicationForm(PaperEntryForm):
    """The commission keys a card from the paper: the number is the card's own."""

    note = forms.CharField(label=_("Uwagi komisji"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["number"]


class CastCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kod z SMS-a potwierdzający oddanie głosu"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ExtensionForm(forms.Form):
    new_end = forms.DateTimeField(
        label=_("Nowy koniec głosowania"),
        help_text=_("Na przykład 2026-10-05 20:00."),
        error_messages={
            "required": _("Podaj nowy koniec głosowania."),
            "invalid": _("Podaj datę i godzinę, np. 2026-10-05 20:00."),
        },
    )
    reason = forms.CharField(
        label=_("Powód przedłużenia (zostanie opublikowany)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Podaj powód przedłużenia; zostanie opublikowany.")},
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód korekty (zostanie opublikowany z nową wersją)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Podaj powód korekty; zostanie opublikowany.")},
    )
    witnesses = forms.CharField(
        label=_("Świadkowie ewentualnego losowania (imiona i nazwiska)"),
        required=False,
        max_length=500,
    )


class ResolveForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Rozstrzygnięcie po obejrzeniu karty"),
        choices=[
            ("1", _("poprawne jest pierwsze wprowadzenie")),
            ("2", _("poprawne jest drugie wprowadzenie")),
            ("invalid", _("karta nieważna")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Wybierz jedną z możliwości.")},
    )
    note = forms.CharField(label=_("Uwagi"), max_length=300, required=False)


class ProtocolForm(forms.Form):
    cards_received = forms.IntegerField(
        label=_("Liczba kart otrzymanych"),
        min_value=0,
        error_messages={"required": _("Podaj liczbę kart otrzymanych.")},
    )
    cards_unused = forms.IntegerField(
        label=_("Liczba kart niewykorzystanych"),
        min_value=0,
        error_messages={"required": _("Podaj liczbę kart niewykorzystanych.")},
    )
    notes = forms.CharField(
        label=_("Uwagi"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RulesForm(forms.ModelForm[VotingRules]):
    class Meta:
        model = VotingRules
        fields = [
            "ballot_kind",
            "picks_per_pool",
            "require_all_picks",
            "approval_max",
            "cumulative_points",
            "minimum_age",
            "counting_rule",
            "tie_breaking",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["counting_rule"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = CountingRule.choices


class CountForm(forms.Form):
    witnesses = forms.CharField(
        label=_("Świadkowie ewentualnego losowania (imiona i nazwiska)"),
        required=False,
        max_length=500,
    )


class ReceiptCheckForm(forms.Form):
    kod = forms.CharField(label=_("Twój kod potwierdzenia"), max_length=20, required=False)
