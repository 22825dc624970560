from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.models import CityUnit
from wspolnota.communication.choices import AuthorKind, Channel, Group, Scope, Topic, Urgency
from wspolnota.territory.models import District

LANGUAGE_LABELS = dict(settings.LANGUAGES)


class CoordinateField(forms.FloatField):
    """Degrees as people type them: a comma or a dot before the decimals."""

    def to_python(self, value: Any) -> float | None:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


def _point_fields() -> tuple[CoordinateField, CoordinateField]:
    help_text = _(
        "Nieobowiązkowe: miejsce Twojego adresu (kliknij je na mapie albo wpisz współrzędne). "
        "Dzięki niemu dostaniesz ogłoszenia dla małego obszaru, np. o awarii na Twojej ulicy."
    )
    return (
        CoordinateField(
            label=_("Punkt adresowy: szerokość geograficzna"),
            required=False,
            min_value=-90,
            max_value=90,
            help_text=help_text,
        ),
        CoordinateField(
            label=_("Punkt adresowy: długość geograficzna"),
            required=False,
            min_value=-180,
            max_value=180,
        ),
    )


class DistrictsField(forms.ModelMultipleChoiceField[District]):
    def label_from_instance(self, obj: District) -> str:
        return obj.full_name


def _districts_field(label: Any, help_text: Any = "") -> DistrictsField:
    return DistrictsField(
        queryset=District.objects.select_related("city").order_by("number"),
        required=False,
        label=label,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
    )


def _topics_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Tematy"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nie zaznaczysz żadnego — dostaniesz ogłoszenia na każdy temat."),
    )


def _groups_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Grupy"),
        choices=Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nieobowiązkowe: ogłoszenia skierowane do wybranych grup."),
    )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _datetime_field(label: Any, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class NoticeForm(forms.Form):
    author_kind = forms.ChoiceField(label=_("Nadawca"), choices=AuthorKind.choices)
    author_label = forms.CharField(
        label=_("Nazwa nadawcy"),
        max_length=200,
        help_text=_("Np. Wydział Komunikacji Społecznej, Rada Dzielnicy I, Fundacja …"),
    )
    source_language = forms.ChoiceField(
        label=_("Język oryginału"), choices=settings.LANGUAGES, initial="pl"
    )
    title_pl = forms.CharField(label=_("Tytuł (polski)"), max_length=150, required=False)
    body_pl = forms.CharField(
        label=_("Treść (polski)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Prostym językiem: krótkie zdania, najważniejsze na początku."),
    )
    easy_read_pl = forms.CharField(
        label=_("Wersja łatwa do czytania (polski)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sms_text_pl = forms.CharField(
        label=_("Tekst SMS (polski)"),
        max_length=300,
        required=False,
        help_text=_("Bez tego SMS zawiera tytuł. Zawsze dodajemy link i informację o rezygnacji."),
    )
    title_en = forms.CharField(label=_("Tytuł (angielski)"), max_length=150, required=False)
    body_en = forms.CharField(
        label=_("Treść (angielski)"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    easy_read_en = forms.CharField(
        label=_("Wersja łatwa do czytania (angielski)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    sms_text_en = forms.CharField(label=_("Tekst SMS (angielski)"), max_length=300, required=False)
    title_uk = forms.CharField(label=_("Tytuł (ukraiński)"), max_length=150, required=False)
    body_uk = forms.CharField(
        label=_("Treść (ukraiński)"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    easy_read_uk = forms.CharField(
        label=_("Wersja łatwa do czytania (ukraiński)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    sms_text_uk = forms.CharField(label=_("Tekst SMS (ukraiński)"), max_length=300, required=False)
    scope = forms.ChoiceField(
        label=_("Zasięg"), choices=Scope.choices, initial=Scope.CITY, widget=forms.RadioSelect
    )
    districts = _districts_field(_("Dzielnice"), _("Dla zasięgu „wybrane dzielnice”."))
    # Filled by the map (a polygon drawn with Leaflet when JavaScript runs); nobody types it.
    area_geojson = forms.CharField(required=False, widget=forms.HiddenInput)
    area_center_lat = CoordinateField(
        label=_("Środek obszaru: szerokość geograficzna"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_(
            "Dla zasięgu „obszar na mapie”: środek i promień, np. 50,0617 i 19,9373 to Rynek "
            "Główny. Na mapie poniżej możesz kliknąć środek albo narysować wielokąt."
        ),
    )
    area_center_lon = CoordinateField(
        label=_("Środek obszaru: długość geograficzna"),
        required=False,
        min_value=-180,
        max_value=180,
    )
    area_radius_m = forms.IntegerField(
        label=_("Promień (metry)"), required=False, min_value=50, max_value=20000
    )
    topics = forms.MultipleChoiceField(
        label=_("Tematy"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.MultipleChoiceField(
        label=_("Grupy odbiorców"),
        choices=Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgency = forms.ChoiceField(label=_("Pilność"), choices=Urgency.choices, initial=Urgency.NORMAL)
    valid_from = _datetime_field(_("Ważne od"), required=True)
    valid_until = _datetime_field(_("Ważne do"))
    event_start = _datetime_field(_("Początek wydarzenia"))
    event_end = _datetime_field(_("Koniec wydarzenia"))
    event_location = forms.CharField(label=_("Miejsce wydarzenia"), max_length=200, required=False)
    channels = forms.MultipleChoiceField(
        label=_("Kanały"),
        choices=Channel.choices,
        required=False,
        initial=[Channel.EMAIL],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ogłoszenie zawsze trafia na tablice ogłoszeń w internecie."),
    )
    city_unit = forms.ModelChoiceField(
        label=_("Jednostka odpowiedzialna"),
        queryset=CityUnit.objects.order_by("name"),
        required=False,
        help_text=_(
            "Jednostka miejska, która podpisuje ogłoszenie urzędu i płaci z budżetu za SMS-y, "
            "połączenia i listy. Ogłoszenie z płatnymi kanałami wysyła urzędnik tej jednostki."
        ),
    )

    def __init__(self, *args: Any, author_kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if author_kinds is not None:
            labels = dict(AuthorKind.choices)
            field = self.fields["author_kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(k, labels[k]) for k in author_kinds]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        language = data.get("source_language") or "pl"
        if not data.get(f"title_{language}"):
            self.add_error(f"title_{language}", _("Podaj tytuł w języku oryginału."))
        if not data.get(f"body_{language}"):
            self.add_error(f"body_{language}", _("Podaj treść w języku oryginału."))
        for code in ("pl", "en", "uk"):
            if bool(data.get(f"title_{code}")) != bool(data.get(f"body_{code}")):
                self.add_error(
                    f"body_{code}" if data.get(f"title_{code}") else f"title_{code}",
                    _("Wersja językowa musi mieć i tytuł, i treść."),
                )
        return data


class SubscribeForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Jak chcesz dostawać ogłoszenia?"),
        choices=[
            (Channel.EMAIL, _("e-mail")),
            (Channel.SMS, _("SMS")),
            (Channel.VOICE, _("telefon (nagranie głosowe)")),
        ],
        initial=Channel.EMAIL,
        widget=forms.RadioSelect,
        help_text=_("Listy papierowe zamówisz w urzędzie albo telefonicznie."),
    )
    email = forms.EmailField(
        label=_("Adres e-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Dla e-maila."),
    )
    phone = forms.CharField(
        label=_("Numer telefonu"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Dla SMS-a i telefonu, np. +48 600 100 200."),
    )
    language = forms.ChoiceField(label=_("Język wiadomości"), choices=settings.LANGUAGES)
    districts = _districts_field(
        _("Dzielnice"),
        _(
            "Ogłoszenia dla całego miasta dostaniesz zawsze; zaznacz dzielnice, z których chcesz też ogłoszenia lokalne."
        ),
    )
    point_lat, point_lon = _point_fields()
    topics = _topics_field()
    groups = _groups_field()
    consent = forms.BooleanField(
        label=_("Zgadzam się na przetwarzanie mojego adresu w celu wysyłania ogłoszeń"),
        error_messages={"required": _("Bez tej zgody nie możemy wysyłać ogłoszeń.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("channel")
        if channel == Channel.EMAIL and not data.get("email"):
            self.add_error("email", _("Podaj adres e-mail."))
        if channel in (Channel.SMS, Channel.VOICE) and not data.get("phone"):
            self.add_error("phone", _("Podaj numer telefonu."))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kod z SMS-a"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Język wiadomości"), choices=settings.LANGUAGES)
    districts = _districts_field(_("Dzielnice"))
    point_lat, point_lon = _point_fields()
    topics = _topics_field()
    groups = _groups_field()


class CounterForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Kanał"), choices=Channel.choices, widget=forms.RadioSelect, initial=Channel.LETTER
    )
    email = forms.EmailField(label=_("Adres e-mail"), required=False, max_length=254)
    phone = forms.CharField(label=_("Numer telefonu"), required=False, max_length=20)
    postal_name = forms.CharField(label=_("Imię i nazwisko"), required=False, max_length=150)
    postal_street = forms.CharField(label=_("Ulica i numer domu"), required=False, max_length=200)
    postal_code = forms.CharField(
        label=_("Kod pocztowy"), required=False, max_length=6, help_text=_("Np. 31-004")
    )
    postal_city = forms.CharField(label=_("Miejscowość"), required=False, max_length=100)
    language = forms.ChoiceField(label=_("Język wiadomości"), choices=settings.LANGUAGES)
    districts = _districts_field(_("Dzielnice"))
    point_lat, point_lon = _point_fields()
    topics = _topics_field()
    groups = _groups_field()
    consent_document = forms.CharField(
        label=_("Podpisany formularz zgody"),
        max_length=100,
        help_text=_("Numer lub znak sprawy formularza, który mieszkaniec podpisał."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód wycofania"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class BudgetForm(forms.Form):
    city_unit = forms.ModelChoiceField(label=_("Jednostka"), queryset=CityUnit.objects.none())
    year = forms.IntegerField(label=_("Rok"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("Kwota (zł)"), min_value=0, max_digits=12, decimal_places=2, localize=True
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            field = self.fields["city_unit"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units
