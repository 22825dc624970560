from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.models import CityUnit, ConversionMethod, CounterPurpose, User
from wspolnota.accounts.roles import Role
from wspolnota.territory.models import District


class DistrictChoiceField(forms.ModelChoiceField[District]):
    def label_from_instance(self, obj: District) -> str:
        return obj.full_name


def _district_field(required: bool = False) -> DistrictChoiceField:
    return DistrictChoiceField(
        queryset=District.objects.select_related("city").order_by("number"),
        required=required,
        label=_("Dzielnica zamieszkania"),
        empty_label=_("— nie wybrano —"),
        help_text=_(
            "Dzielnica decyduje o tym, na które projekty dzielnicowe głosujesz i jakie ogłoszenia dostajesz."
        ),
    )


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("Adres e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    full_name = forms.CharField(
        label=_("Imię i nazwisko"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Nieobowiązkowe. Pokażemy je tylko przy Twoich publicznych wpisach."),
    )
    password1 = forms.CharField(
        label=_("Hasło"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Co najmniej 10 znaków; nie może być popularnym hasłem ani składać się z samych cyfr."
        ),
    )
    password2 = forms.CharField(
        label=_("Powtórz hasło"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    district = _district_field()
    preferred_language = forms.ChoiceField(label=_("Język"), choices=settings.LANGUAGES)
    accept_terms = forms.BooleanField(
        label=_("Zapoznałem się z informacją o przetwarzaniu danych osobowych"),
        error_messages={
            "required": _("Zaznacz, że znasz informację o przetwarzaniu danych osobowych.")
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", _("Hasła nie są takie same."))
        return data


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adres e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Niepoprawny adres e-mail lub hasło."),
        "inactive": _("To konto jest nieaktywne."),
    }


class ProfileForm(forms.ModelForm[User]):
    district = _district_field()

    class Meta:
        model = User
        fields = [
            "full_name",
            "district",
            "preferred_language",
            "pref_large_text",
            "pref_high_contrast",
            "pref_easy_read",
        ]
        labels = {
            "full_name": _("Imię i nazwisko"),
            "preferred_language": _("Język"),
            "pref_large_text": _("Większy tekst"),
            "pref_high_contrast": _("Wysoki kontrast"),
            "pref_easy_read": _("Tekst łatwy do czytania, gdzie jest dostępny"),
        }


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Numer telefonu komórkowego"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Na przykład 600 100 200 albo +380 67 123 4567. Wyślemy SMS z kodem."),
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kod z SMS-a"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Hasło"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Dla bezpieczeństwa potwierdź hasłem."),
    )
    confirm = forms.BooleanField(
        label=_("Rozumiem, że usunięcia konta nie można cofnąć"),
        error_messages={"required": _("Zaznacz, że rozumiesz skutki usunięcia konta.")},
    )


class RoleGrantForm(forms.Form):
    email = forms.EmailField(label=_("Adres e-mail osoby"))
    role = forms.ChoiceField(label=_("Rola"), choices=Role.choices)
    district = forms.ModelChoiceField(
        queryset=District.objects.order_by("number"),
        required=False,
        label=_("Dzielnica (dla radnego dzielnicy)"),
        empty_label=_("— nie dotyczy —"),
    )
    city_unit = forms.ModelChoiceField(
        queryset=CityUnit.objects.all(),
        required=False,
        label=_("Jednostka miejska (dla urzędnika)"),
        empty_label=_("— nie dotyczy —"),
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Nie ma aktywnego konta z tym adresem e-mail."))
        return user


# --- The counter page (issue 17) ----------------------------------------------------------------


def _act_channel_field() -> forms.ChoiceField:
    from wspolnota.core.onbehalf import CLERK_CHANNELS, Channel

    return forms.ChoiceField(
        label=_("Jak osoba się zgłosiła"),
        choices=[(c.value, c.label) for c in Channel if c in CLERK_CHANNELS],
        widget=forms.RadioSelect,
        initial=Channel.COUNTER,
    )


class PersonSearchForm(forms.Form):
    """Identify a caller: the surname and at least one more detail (docs/counter.md)."""

    purpose = forms.ChoiceField(label=_("W jakiej sprawie szukasz"), choices=CounterPurpose.choices)
    surname = forms.CharField(
        label=_("Nazwisko"), max_length=100, help_text=_("Całe nazwisko, np. „Żółkiewska”.")
    )
    phone = forms.CharField(
        label=_("Telefon"), max_length=20, required=False, help_text=_("Np. 12 616 12 00")
    )
    postcode = forms.CharField(
        label=_("Kod pocztowy"), max_length=6, required=False, help_text=_("Np. 31-004")
    )
    street = forms.CharField(
        label=_("Ulica i numer"), max_length=200, required=False, help_text=_("Np. Lipowa 3/12")
    )
    email = forms.CharField(label=_("Adres e-mail"), max_length=254, required=False)

    def clean_surname(self) -> str:
        value = str(self.cleaned_data["surname"]).strip()
        if len(value) < 2:
            raise forms.ValidationError(_("Wpisz całe nazwisko."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(
            str(data.get(k) or "").strip() for k in ("phone", "postcode", "street", "email")
        ):
            raise forms.ValidationError(
                _(
                    "Samo nazwisko nie wystarczy: podaj jeszcze telefon, kod pocztowy, ulicę "
                    "albo e-mail osoby."
                )
            )
        return data


class PersonForm(forms.Form):
    """A person without an account, as a clerk records them."""

    full_name = forms.CharField(label=_("Imię i nazwisko"), max_length=150)
    address_street = forms.CharField(
        label=_("Ulica, numer domu i mieszkania"), max_length=200, required=False
    )
    address_postcode = forms.CharField(
        label=_("Kod pocztowy"), max_length=6, required=False, help_text=_("Np. 31-004")
    )
    address_city = forms.CharField(label=_("Miejscowość"), max_length=100, required=False)
    landline_phone = forms.CharField(label=_("Telefon stacjonarny"), max_length=20, required=False)
    mobile = forms.CharField(label=_("Telefon komórkowy"), max_length=20, required=False)
    email = forms.CharField(label=_("Adres e-mail"), max_length=254, required=False)
    reply_channel = forms.ChoiceField(
        label=_("Jak odpowiadać tej osobie"),
        choices=[],
        widget=forms.RadioSelect,
    )
    district = _district_field()
    channel = _act_channel_field()
    confirm_new = forms.BooleanField(
        label=_("Sprawdziłem(-am) podobne osoby: to jest nowa osoba"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from wspolnota.accounts.models import ReplyChannel

        super().__init__(*args, **kwargs)
        field = self.fields["reply_channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = ReplyChannel.choices
        self.fields["district"].help_text = ""


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Zgoda na"), choices=[])
    channel = _act_channel_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from wspolnota.accounts.models import ConsentPurpose

        super().__init__(*args, **kwargs)
        field = self.fields["purpose"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = ConsentPurpose.choices


class ConversionStartForm(forms.Form):
    """A clerk starts an account for a person kept by the city (docs/counter.md)."""

    channel = forms.ChoiceField(
        label=_("Jak osoba o to prosi"),
        choices=[
            ("counter", _("w okienku")),
            ("phone", _("przez telefon")),
            ("post", _("listownie")),
            ("email", _("e-mailem")),
        ],
    )
    email = forms.EmailField(
        label=_("Adres e-mail osoby"),
        max_length=254,
        help_text=_("Na ten adres wyślemy link do ustawienia hasła."),
    )
    method = forms.ChoiceField(
        label=_("Jak potwierdzamy tożsamość"),
        choices=ConversionMethod.choices,
        widget=forms.RadioSelect,
    )
    identity_checked = forms.BooleanField(
        label=_("Sprawdziłam/sprawdziłem dokument tożsamości tej osoby w okienku"),
        required=False,
    )


class ConversionCompleteForm(forms.Form):
    """The person sets a password (and types the code from the letter, if one was sent)."""

    letter_code = forms.CharField(
        label=_("Kod z listu"), max_length=12, required=False, help_text=_("Np. ABCD-EFGH")
    )
    password1 = forms.CharField(
        label=_("Hasło"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Powtórz hasło"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, needs_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["letter_code"].required = True
        else:
            del self.fields["letter_code"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Hasła nie są takie same."))
        return data
