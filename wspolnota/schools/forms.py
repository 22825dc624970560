from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wspolnota.schools.codes import SHEET_MAX
from wspolnota.schools.models import (
    Idea,
    InstitutionKind,
    MemberRole,
    SchoolBallotKind,
    SchoolEdition,
    SchoolRule,
)
from wspolnota.schools.services import KRAKOW_PLACES, TEMPLATES

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SchoolRegisterForm(forms.Form):
    name = forms.CharField(label=_("Nazwa szkoły, domu kultury lub biblioteki"), max_length=200)
    kind = forms.ChoiceField(label=_("Rodzaj"), choices=InstitutionKind.choices)
    location = forms.CharField(label=_("Ulica i numer"), max_length=200)


class SchoolDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decyzja"),
        choices=[("confirm", _("Potwierdź")), ("refuse", _("Odrzuć"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Uzasadnienie"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wymagane przy odrzuceniu; koordynator je zobaczy."),
    )


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail nauczyciela (konto na platformie)"))
    role = forms.ChoiceField(label=_("Rola"), choices=MemberRole.choices)


class TemplateChoiceForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Szablon"),
        choices=[(k, v["label"]) for k, v in TEMPLATES.items()],
        widget=forms.RadioSelect,
    )
    start = forms.DateField(
        label=_("Pierwszy dzień zgłaszania pomysłów"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class EditionForm(forms.Form):
    title = forms.CharField(label=_("Tytuł"), max_length=200)
    amount = forms.DecimalField(label=_("Kwota (zł)"), min_value=1, max_digits=10, decimal_places=2)
    ballot_kind = forms.ChoiceField(
        label=_("Karta do głosowania"), choices=SchoolBallotKind.choices
    )
    approval_max = forms.IntegerField(
        label=_("Najwięcej wybranych pomysłów (karta z zaznaczaniem)"), min_value=1, max_value=10
    )
    counting_rule = forms.ChoiceField(label=_("Sposób liczenia"), choices=SchoolRule.choices)
    ideas_from = forms.DateTimeField(label=_("Zgłaszanie pomysłów od"), widget=DATETIME_WIDGET)
    ideas_until = forms.DateTimeField(label=_("Zgłaszanie pomysłów do"), widget=DATETIME_WIDGET)
    checking_until = forms.DateTimeField(label=_("Sprawdzanie pomysłów do"), widget=DATETIME_WIDGET)
    vote_from = forms.DateTimeField(label=_("Głosowanie od"), widget=DATETIME_WIDGET)
    vote_until = forms.DateTimeField(label=_("Głosowanie do"), widget=DATETIME_WIDGET)

    @staticmethod
    def initial_for(edition: SchoolEdition) -> dict[str, Any]:
        return {
            "title": edition.title,
            "amount": edition.amount,
            "ballot_kind": edition.ballot_kind,
            "approval_max": edition.approval_max,
            "counting_rule": edition.counting_rule,
            "ideas_from": edition.ideas_from,
            "ideas_until": edition.ideas_until,
            "checking_until": edition.checking_until,
            "vote_from": edition.box.opens_at,
            "vote_until": edition.box.closes_at,
        }


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Tytuł pomysłu"), max_length=200)
    description = forms.CharField(
        label=_("Opis"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5})
    )
    cost = forms.DecimalField(
        label=_("Szacowany koszt (zł)"), min_value=0, max_digits=10, decimal_places=2
    )
    class_label = forms.CharField(
        label=_("Klasa, z której pochodzi pomysł"),
        max_length=40,
        required=False,
        help_text=_("Tylko klasa, na przykład 5b. Nie wpisuj imion ani nazwisk uczniów."),
    )


class IdeaCheckForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decyzja zespołu"),
        choices=[("accept", _("Na kartę do głosowania")), ("reject", _("Odrzuć"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Uzasadnienie (będzie widoczne dla wszystkich)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SheetIssueForm(forms.Form):
    label = forms.CharField(label=_("Klasa"), max_length=40, help_text=_("Na przykład 5b."))
    size = forms.IntegerField(
        label=_("Liczba kodów (uczniów w klasie)"), min_value=1, max_value=SHEET_MAX
    )


class SheetVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód unieważnienia"), max_length=300, help_text=_("Na przykład: arkusz zgubiony.")
    )
    reprint = forms.BooleanField(
        label=_("Od razu wydrukuj nowy arkusz dla tej klasy"), required=False, initial=True
    )


class VoteForm(forms.Form):
    code = forms.CharField(
        label=_("Twój kod z kartki"),
        max_length=20,
        help_text=_("8 znaków, na przykład ABCD-2345. Wielkość liter nie ma znaczenia."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args: Any, edition: SchoolEdition, ideas: list[Idea], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.edition = edition
        choices = [(i.number, f"{i.number}. {i.title} ({i.cost:.0f} zł)") for i in ideas]
        if edition.ballot_kind == SchoolBallotKind.KRAKOW:
            blank = [("", _("— nie wybieram —"))]
            for place in range(1, KRAKOW_PLACES + 1):
                points = KRAKOW_PLACES + 1 - place
                self.fields[f"place_{place}"] = forms.TypedChoiceField(
                    label=_("Miejsce %(place)s (%(points)s pkt)")
                    % {"place": place, "points": points},
                    choices=blank + choices,
                    coerce=int,
                    required=False,
                    empty_value=None,
                )
        else:
            self.fields["ideas"] = forms.TypedMultipleChoiceField(
                label=_("Zaznacz pomysły, które ci się podobają (najwyżej %(max)s)")
                % {"max": edition.approval_max},
                choices=choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def picks(self) -> list[int]:
        if "ideas" in self.fields:
            return list(self.cleaned_data.get("ideas") or [])
        picks = [self.cleaned_data.get(f"place_{p}") for p in range(1, KRAKOW_PLACES + 1)]
        return [p for p in picks if p is not None]
