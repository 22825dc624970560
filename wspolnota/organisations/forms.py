from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError
from wspolnota.organisations import services
from wspolnota.organisations.models import (
    DocumentKind,
    LegalForm,
    MembershipRole,
    OrganisationKind,
    PersonRole,
    PublicBenefitArea,
)
from wspolnota.territory.models import District


class DistrictMultipleChoiceField(forms.ModelMultipleChoiceField[District]):
    def label_from_instance(self, obj: District) -> str:
        return obj.full_name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _districts_field() -> DistrictMultipleChoiceField:
    return DistrictMultipleChoiceField(
        queryset=District.objects.select_related("city").order_by("number"),
        required=False,
        label=_("Dzielnice, w których działacie"),
        widget=forms.CheckboxSelectMultiple,
    )


class OrganisationForm(forms.Form):
    """The profile of an applicant; fields that do not apply to the kind are left out."""

    name = forms.CharField(label=_("Nazwa"), max_length=300)
    legal_form = forms.ChoiceField(
        label=_("Forma prawna"), choices=[("", _("— wybierz —")), *LegalForm.choices]
    )
    krs = forms.CharField(
        label=_("Numer KRS"),
        max_length=14,
        required=False,
        help_text=_("10 cyfr; nie dotyczy stowarzyszeń zwykłych i klubów spoza KRS."),
    )
    nip = forms.CharField(label=_("NIP"), max_length=16, help_text=_("10 cyfr, np. 526-025-02-74."))
    regon = forms.CharField(label=_("REGON"), max_length=17, help_text=_("9 albo 14 cyfr."))
    public_benefit_status = forms.BooleanField(
        label=_("Organizacja ma status organizacji pożytku publicznego (OPP)"), required=False
    )
    birth_date = forms.DateField(
        label=_("Data urodzenia"),
        widget=DateInput(),
        help_text=_(
            "Decyduje o prawie do mikrograntów młodzieżowych (13–21 lat). Widzą ją tylko urzędnicy."
        ),
    )
    street_address = forms.CharField(
        label=_("Ulica i numer"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = forms.CharField(
        label=_("Kod pocztowy"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("Miejscowość"),
        max_length=100,
        required=False,
        initial="Kraków",
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    email = forms.EmailField(
        label=_("Adres e-mail do kontaktu"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Telefon do kontaktu"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    website = forms.URLField(label=_("Strona internetowa"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Czym się zajmujecie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    districts = _districts_field()
    areas = forms.MultipleChoiceField(
        label=_("Obszary pożytku publicznego"),
        choices=PublicBenefitArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    NGO_ONLY = ("legal_form", "krs", "nip", "regon", "public_benefit_status")

    def __init__(self, *args: Any, kind: str, registering: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != OrganisationKind.NGO:
            for name in self.NGO_ONLY:
                del self.fields[name]
        if kind != OrganisationKind.INDIVIDUAL or not registering:
            del self.fields["birth_date"]
        if kind == OrganisationKind.INFORMAL_GROUP:
            self.fields["name"].label = _("Nazwa grupy")
            self.fields["name"].help_text = _("Np. Sąsiedzi z ulicy Mogilskiej.")
        if kind == OrganisationKind.INDIVIDUAL:
            self.fields["name"].label = _("Imię i nazwisko")
            self.fields["description"].label = _("Kilka słów o sobie (nieobowiązkowe)")
            del self.fields["website"]

    def clean(self) -> dict[str, Any]:
        """Check every identifier at once, so all mistakes are shown together."""
        data = super().clean() or {}
        if self.kind != OrganisationKind.NGO:
            return data
        checks = [
            (
                "krs",
                lambda: services.krs_normalise(
                    data.get("krs", ""), legal_form=data.get("legal_form", "")
                ),
            ),
            ("nip", lambda: services.nip_normalise(data.get("nip", ""))),
            ("regon", lambda: services.regon_normalise(data.get("regon", ""))),
        ]
        for name, check in checks:
            if name not in data or self.has_error(name):
                continue
            try:
                data[name] = check()
            except DomainError as exc:
                self.add_error(name, str(exc))
        return data


class PersonForm(forms.Form):
    full_name = forms.CharField(
        label=_("Imię i nazwisko"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Rola"), choices=PersonRole.choices)
    function = forms.CharField(
        label=_("Funkcja"),
        max_length=100,
        required=False,
        help_text=_("Np. prezes zarządu, skarbnik, koordynatorka."),
    )
    may_represent = forms.BooleanField(
        label=_("Może reprezentować i podpisywać umowy"), required=False
    )
    birth_date = forms.DateField(
        label=_("Data urodzenia"),
        widget=DateInput(),
        required=False,
        help_text=_("Potrzebna w grupach nieformalnych i u opiekunów; widzą ją tylko urzędnicy."),
    )
    email = forms.EmailField(label=_("Adres e-mail"), required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = services.ROLES_BY_KIND[OrganisationKind(kind)] - {PersonRole.APPLICANT}
        self.fields["role"].choices = [
            (v, label) for v, label in PersonRole.choices if v in allowed
        ]
        if kind == OrganisationKind.NGO:
            self.fields["birth_date"].help_text = ""
        else:
            del self.fields["may_represent"]
            self.fields["birth_date"].required = True


class MembershipForm(forms.Form):
    email = forms.EmailField(
        label=_("Adres e-mail konta tej osoby"),
        help_text=_("Osoba musi mieć już konto na platformie."),
    )
    role = forms.ChoiceField(
        label=_("Rola"),
        choices=MembershipRole.choices,
        widget=forms.RadioSelect,
        initial=MembershipRole.MEMBER,
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rodzaj dokumentu"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Tytuł"), max_length=200, required=False)
    file = forms.FileField(
        label=_("Plik"),
        help_text=_("PDF, JPG, PNG, ODT, ODS, DOCX lub XLSX, najwyżej 10 MB."),
    )
    is_public = forms.BooleanField(
        label=_("Pokazuj w profilu publicznym (np. statut, sprawozdania)"), required=False
    )


class VerificationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decyzja"),
        choices=[("approve", _("Zweryfikuj wpis")), ("reject", _("Zwróć do poprawy"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Uwagi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Przy zwrocie do poprawy napisz, co trzeba uzupełnić."),
        max_length=2000,
    )


class SuspensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Uzasadnienie"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("Nazwa, KRS lub NIP"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Rodzaj"),
        required=False,
        choices=[
            ("", _("— wszystkie —")),
            (OrganisationKind.NGO, OrganisationKind.NGO.label),
            (OrganisationKind.INFORMAL_GROUP, OrganisationKind.INFORMAL_GROUP.label),
        ],
    )
    district = forms.ModelChoiceField(
        label=_("Dzielnica"),
        queryset=District.objects.order_by("number"),
        required=False,
        empty_label=_("— wszystkie —"),
    )
    area = forms.ChoiceField(
        label=_("Obszar"),
        required=False,
        choices=[("", _("— wszystkie —")), *PublicBenefitArea.choices],
    )


def channel_field() -> forms.ChoiceField:
    """How the person came to the clerk (counter, phone, post, e-mail), issue 17."""
    from wspolnota.core.onbehalf import CLERK_CHANNELS, Channel

    return forms.ChoiceField(
        label=_("Osoba zgłasza się"),
        choices=[(c.value, c.label) for c in Channel if c in CLERK_CHANNELS],
        initial=Channel.COUNTER,
    )
