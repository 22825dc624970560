"""Forms of the vote's set-up pages (rules, voting points). They parse; services decide."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.models import User, normalise_email
from wspolnota.budget.forms import LenientDecimalField
from wspolnota.budget.models import Edition
from wspolnota.territory.models import District
from wspolnota.voting import errors
from wspolnota.voting.forms import RulesForm
from wspolnota.voting.models import VotingRules

RULE_FIELDS = [*RulesForm.Meta.fields, "counting_options"]


class SetupRulesForm(RulesForm):
    """The ballot and the count: the voting office's rules form, with the counting options."""

    counting_options_text = forms.CharField(
        label=_("Opcje liczenia (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('Nieobowiązkowe, np. {"ties": "more-top-votes,lot"}.'),
    )

    def __init__(self, *args: Any, locked: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = kwargs.get("instance")
        if instance is not None and instance.counting_options and not self.is_bound:
            self.initial["counting_options_text"] = json.dumps(
                instance.counting_options, ensure_ascii=False
            )
        if locked is not None:
            for field in self.fields.values():
                field.disabled = True
            self.fields["ballot_kind"].help_text = locked

    def clean_counting_options_text(self) -> dict[str, Any]:
        text = (self.cleaned_data.get("counting_options_text") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(errors.COUNTING_OPTIONS_JSON) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(errors.COUNTING_OPTIONS_JSON)
        return value

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in RulesForm.Meta.fields}
        data["counting_options"] = self.cleaned_data["counting_options_text"]
        return data


def copied_rules(rules: VotingRules | None) -> dict[str, Any]:
    """Last year's rules as the starting point of a new edition's form."""
    if rules is None:
        return {}
    initial = {name: getattr(rules, name) for name in RulesForm.Meta.fields}
    if rules.counting_options:
        initial["counting_options_text"] = json.dumps(rules.counting_options, ensure_ascii=False)
    return initial


class DistrictField(forms.ModelChoiceField[District]):
    def label_from_instance(self, obj: District) -> str:
        return obj.full_name


class PointForm(forms.Form):
    name = forms.CharField(label=_("Nazwa punktu"), max_length=200)
    address = forms.CharField(label=_("Adres"), max_length=300)
    district = DistrictField(queryset=District.objects.none(), label=_("Dzielnica"))
    hours = forms.CharField(
        label=_("Godziny otwarcia"),
        max_length=300,
        help_text=_("Np. pon.–pt. 10:00–18:00, sob. 10:00–14:00."),
    )
    step_free = forms.BooleanField(label=_("Dostępny bez schodów"), required=False)
    latitude = LenientDecimalField(
        label=_("Szerokość geograficzna"),
        required=False,
        max_abs=Decimal(90),
        places=6,
        help_text=_("Nieobowiązkowe: miejsce na mapie punktów, np. 50,0614."),
    )
    longitude = LenientDecimalField(
        label=_("Długość geograficzna"),
        required=False,
        max_abs=Decimal(180),
        places=6,
        help_text=_("Np. 19,9366."),
    )
    coordinators = forms.CharField(
        label=_("Koordynatorzy punktu (adresy e-mail)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Jeden adres w wierszu; koordynatorzy wprowadzają karty i zamykają punkt."),
    )

    def __init__(self, *args: Any, edition: Edition, district_locked: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(  # type: ignore[attr-defined]
            city=edition.city
        ).order_by("number")
        if district_locked is not None:
            self.fields["district"].disabled = True
            self.fields["district"].help_text = district_locked

    def clean_coordinators(self) -> list[User]:
        text = self.cleaned_data.get("coordinators") or ""
        emails = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
        found = {
            u.email: u for u in User.objects.filter(email__in=[normalise_email(e) for e in emails])
        }
        users = []
        for email in emails:
            user = found.get(normalise_email(email))
            if user is None:
                raise forms.ValidationError(errors.POINT_COORDINATOR_UNKNOWN % {"email": email})
            users.append(user)
        return users

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
