from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wspolnota.community import errors
from wspolnota.community.models import (
    Activity,
    ApplicantKind,
    Audience,
    Event,
    EventLanguage,
    EventStatus,
    Place,
    PlaceKind,
    Programme,
    Room,
    Skill,
    VolunteerOffer,
)
from wspolnota.community.selectors import (
    NearOrigin,
    near_origin_for_address,
    near_origin_for_person,
)
from wspolnota.community.services.places import PLACE_FIELDS
from wspolnota.territory.models import District

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DistrictChoiceField(forms.ModelChoiceField[District]):
    def label_from_instance(self, obj: District) -> str:
        return obj.full_name


class PlaceChoiceField(forms.ModelChoiceField[Place]):
    def label_from_instance(self, obj: Place) -> str:
        return f"{obj.name} ({obj.street_address})"


def district_field(*, label: Any = None, required: bool = False) -> DistrictChoiceField:
    return DistrictChoiceField(
        queryset=District.objects.select_related("city").order_by("number"),
        required=required,
        label=label or _("Dzielnica"),
        empty_label=_("— wszystkie dzielnice —") if not required else _("— wybierz —"),
    )


# --- Places ---------------------------------------------------------------------------------------


class PlaceFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Szukaj (nazwa, ulica, prowadzący)"), required=False, max_length=100
    )
    kind = forms.ChoiceField(
        label=_("Rodzaj miejsca"),
        required=False,
        choices=[("", _("— wszystkie rodzaje —")), *PlaceKind.choices],
    )
    district = district_field()
    access = forms.MultipleChoiceField(
        label=_("Dostępność"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("step_free", _("wejście bez schodów")),
            ("accessible_toilet", _("toaleta dostępna")),
            ("induction_loop", _("pętla indukcyjna")),
            ("sign_language", _("polski język migowy")),
        ],
    )


class NearMeForm(forms.Form):
    """ "Near me": distances from a typed address (its point in the city's address register),
    from coordinates (the browser's geolocation fills them in), or from the signed-in person's
    own address. A district alone only orders the list, its own places first: the distance is
    then unknown and the page says so (issue 21)."""

    address = forms.CharField(
        label=_("Twój adres (ulica i numer)"),
        required=False,
        max_length=150,
        help_text=_("Np. „os. Centrum A 1”. Odległość liczymy od tego adresu."),
    )
    lat = forms.DecimalField(
        label=_("Szerokość geograficzna"),
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
    )
    lon = forms.DecimalField(
        label=_("Długość geograficzna"),
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
    )
    near_district = district_field(label=_("…albo tylko dzielnica (bez odległości)"))
    near = forms.BooleanField(required=False)

    def __init__(self, *args: Any, person: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.origin: NearOrigin | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lon", errors.LOCATION_HALF)
            return data
        if data.get("lat") is not None:
            self.origin = NearOrigin(point=(float(data["lat"]), float(data["lon"])))
        elif data.get("address"):
            self.origin = near_origin_for_address(text=data["address"])
            if self.origin is None:
                self.add_error("address", errors.ADDRESS_NOT_FOUND)
        elif data.get("near") and getattr(self.person, "is_authenticated", False):
            self.origin = near_origin_for_person(person=self.person)
        elif data.get("near_district") is not None:
            self.origin = NearOrigin(district=data["near_district"])
        return data


class PlaceForm(forms.ModelForm[Place]):
    hours_text = forms.CharField(
        label=_("Godziny otwarcia"),
        required=False,
        max_length=300,
        help_text=_("Np. „pn.–pt. 9:00–17:00; sob. 10:00–14:00”."),
    )
    district = district_field(label=_("Dzielnica"))
    website = forms.URLField(label=_("Strona internetowa"), required=False, assume_scheme="https")

    class Meta:
        model = Place
        # The service's fields, less the unit, which this form does not offer.
        fields = [name for name in PLACE_FIELDS if name != "city_unit"]
        widgets = {
            "opened_on": DATE_WIDGET,
            "closed_on": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "district": _("Puste pole: dzielnicę ustalimy ze współrzędnych."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].empty_label = _("— ustal ze współrzędnych —")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Plik CSV lub XLSX z listą Centrów Aktywności Seniorów"),
        help_text=_(
            "Pierwszy wiersz z nagłówkami kolumn, np. „nazwa”, „ulica”, „numer”, „kod pocztowy”, "
            "„dzielnica”, „telefon”, „e-mail”, „godziny otwarcia”, „prowadzący”, „dostępność”."
        ),
    )


class RoomForm(forms.ModelForm[Room]):
    class Meta:
        model = Room
        fields = ["name", "capacity", "description", "step_free", "is_bookable"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class BookingForm(forms.Form):
    applicant_kind = forms.ChoiceField(
        label=_("Kto rezerwuje"),
        choices=ApplicantKind.choices,
        widget=forms.RadioSelect,
        initial=ApplicantKind.RESIDENT,
    )
    applicant_name = forms.CharField(
        label=_("Nazwa organizacji lub grupy"),
        required=False,
        max_length=200,
        help_text=_("Wymagana, gdy rezerwuje organizacja lub grupa nieformalna."),
    )
    purpose = forms.CharField(label=_("Cel spotkania"), max_length=300)
    attendees = forms.IntegerField(label=_("Liczba uczestników"), min_value=1, max_value=10000)
    starts_at = forms.DateTimeField(label=_("Początek"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Koniec"), widget=DATETIME_WIDGET)


class BookingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decyzja"),
        choices=[("approve", _("zatwierdź")), ("reject", _("odrzuć"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Uzasadnienie"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wymagane przy odmowie."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActivityForm(forms.ModelForm[Activity]):
    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "weekday",
            "starts_at",
            "ends_at",
            "capacity",
            "audience",
            "price",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_at": TIME_WIDGET,
            "ends_at": TIME_WIDGET,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].initial = Decimal("0.00")

    def _post_clean(self) -> None:
        # The service validates the whole activity; the form checks fields only, so an edit
        # never changes the instance before the service takes its "before" snapshot.
        pass


# --- Events ---------------------------------------------------------------------------------------


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("Szukaj"), required=False, max_length=100)
    district = district_field()
    audience = forms.ChoiceField(
        label=_("Dla kogo"), required=False, choices=[("", _("— wszyscy —")), *Audience.choices]
    )
    programme = forms.ChoiceField(
        label=_("Program"),
        required=False,
        choices=[("", _("— wszystkie programy —")), *Programme.choices],
    )
    language = forms.ChoiceField(
        label=_("Język"),
        required=False,
        choices=[("", _("— każdy język —")), *EventLanguage.choices],
    )
    price = forms.ChoiceField(
        label=_("Cena"),
        required=False,
        choices=[("", _("— bez znaczenia —")), ("free", _("bezpłatne")), ("paid", _("płatne"))],
    )
    access = forms.MultipleChoiceField(
        label=_("Dostępność"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("step_free", _("bez schodów")),
            ("induction_loop", _("pętla indukcyjna")),
            ("sign_language", _("tłumaczenie na polski język migowy")),
        ],
    )
    date_from = forms.DateField(label=_("Od dnia"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Do dnia"), required=False, widget=DATE_WIDGET)


class EventForm(forms.ModelForm[Event]):
    place = PlaceChoiceField(
        queryset=Place.objects.filter(is_published=True).order_by("name"),
        required=False,
        label=_("Miejsce"),
        empty_label=_("— poza miejscami z listy —"),
    )
    district = district_field(label=_("Dzielnica"))
    starts_at = forms.DateTimeField(label=_("Początek"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Koniec"), widget=DATETIME_WIDGET)
    status = forms.ChoiceField(
        label=_("Stan"),
        choices=[
            (EventStatus.PUBLISHED, _("opublikowane")),
            (EventStatus.DRAFT, _("szkic (widzi tylko organizator)")),
        ],
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "description",
            "organiser_kind",
            "organiser_name",
            "place",
            "location",
            "district",
            "starts_at",
            "ends_at",
            "programme",
            "audience",
            "language",
            "price",
            "capacity",
            "step_free",
            "induction_loop",
            "sign_language",
            "status",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"district": _("Puste pole: dzielnica miejsca wydarzenia.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].empty_label = _("— dzielnica miejsca —")
        self.fields["price"].initial = Decimal("0.00")

    def _post_clean(self) -> None:
        # The service validates the whole event; the form checks fields only, so an edit never
        # changes the instance before the service takes its "before" snapshot.
        pass


class OfferFilterForm(forms.Form):
    q = forms.CharField(label=_("Szukaj"), required=False, max_length=100)
    district = district_field()
    skills = forms.ModelMultipleChoiceField(
        label=_("Umiejętności"),
        queryset=Skill.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    when = forms.MultipleChoiceField(
        label=_("Kiedy mogę pomagać"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("weekday_mornings", _("dni robocze, rano")),
            ("weekday_afternoons", _("dni robocze, po południu")),
            ("weekday_evenings", _("dni robocze, wieczorem")),
            ("weekends", _("weekendy")),
        ],
    )


class OfferForm(forms.ModelForm[VolunteerOffer]):
    place = PlaceChoiceField(
        queryset=Place.objects.filter(is_published=True).order_by("name"),
        required=False,
        label=_("Miejsce"),
        empty_label=_("— poza miejscami z listy —"),
    )
    district = district_field(label=_("Dzielnica"))
    skills = forms.ModelMultipleChoiceField(
        label=_("Potrzebne umiejętności"),
        queryset=Skill.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = VolunteerOffer
        fields = [
            "title",
            "task",
            "organiser_kind",
            "organiser_name",
            "organiser_address",
            "place",
            "location",
            "district",
            "starts_on",
            "ends_on",
            "time_commitment",
            "weekday_mornings",
            "weekday_afternoons",
            "weekday_evenings",
            "weekends",
            "skills",
            "min_age",
            "volunteers_needed",
            "status",
        ]
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "task": forms.Textarea(attrs={"rows": 5}),
        }

    def _post_clean(self) -> None:
        pass


class VolunteerProfileForm(forms.Form):
    birth_date = forms.DateField(
        label=_("Data urodzenia"),
        widget=DATE_WIDGET,
        help_text=_(
            "Potrzebna, by sprawdzić minimalny wiek wolontariusza. Nie pokazujemy jej nikomu."
        ),
    )
    district = district_field(label=_("Dzielnica, w której chcę pomagać"))
    skills = forms.ModelMultipleChoiceField(
        label=_("Moje umiejętności"),
        queryset=Skill.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weekday_mornings = forms.BooleanField(label=_("Mogę w dni robocze rano"), required=False)
    weekday_afternoons = forms.BooleanField(
        label=_("Mogę w dni robocze po południu"), required=False
    )
    weekday_evenings = forms.BooleanField(label=_("Mogę w dni robocze wieczorem"), required=False)
    weekends = forms.BooleanField(label=_("Mogę w weekendy"), required=False)
    about = forms.CharField(
        label=_("Kilka słów o sobie"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApplyForm(forms.Form):
    message = forms.CharField(
        label=_("Wiadomość do koordynatora"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HoursForm(forms.Form):
    day = forms.DateField(label=_("Dzień"), widget=DATE_WIDGET)
    hours = forms.DecimalField(
        label=_("Liczba godzin"),
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        decimal_places=2,
        max_digits=4,
        widget=forms.NumberInput(attrs={"step": "0.25"}),
    )
    description = forms.CharField(label=_("Co zrobiono"), max_length=300)


class _AgreementSigningForm(forms.Form):
    guardian_name = forms.CharField(
        label=_("Rodzic lub opiekun prawny, który wyraził zgodę"),
        required=False,
        max_length=200,
        help_text=_("Tylko gdy wolontariusz jest niepełnoletni."),
    )


class AgreementFileForm(_AgreementSigningForm):
    """The organiser uploads the agreement signed by both sides with a qualified signature or
    the trusted profile."""

    signature_file = forms.FileField(
        label=_("Plik porozumienia z podpisami obu stron"),
        help_text=_(
            "PDF podpisany w formacie PAdES albo plik XAdES (.xml, .xades) — z podpisu "
            "kwalifikowanego lub zaufanego. Zapiszemy plik i jego skrót SHA-256."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.xml,.xades"}),
    )


class AgreementPaperForm(_AgreementSigningForm):
    """The organiser records that the paper copies were signed by both sides."""

    signed_on = forms.DateField(label=_("Data podpisania przez obie strony"), widget=DATE_WIDGET)
    paper_scan = forms.FileField(
        label=_("Skan podpisanego porozumienia (nieobowiązkowy)"),
        required=False,
        help_text=_("PDF, JPG albo PNG. Oryginał przechowuje organizator."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


# --- At the counter (issue 17) --------------------------------------------------------------------


def _clerk_channels() -> list[tuple[str, Any]]:
    from wspolnota.core.onbehalf import CLERK_CHANNELS, Channel

    return [(c.value, c.label) for c in Channel if c in CLERK_CHANNELS]


class OnBehalfForm(forms.Form):
    """The channel the person used; the clerk is whoever is signed in."""

    channel = forms.ChoiceField(
        label=_("Osoba zgłasza się"), choices=_clerk_channels, initial="counter"
    )


class VolunteerOnBehalfForm(OnBehalfForm):
    birth_date = forms.DateField(
        label=_("Data urodzenia wolontariusza"),
        widget=DATE_WIDGET,
        help_text=_("Potrzebna, by sprawdzić minimalny wiek wolontariusza."),
    )
    message = forms.CharField(
        label=_("Wiadomość do koordynatora"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent = forms.BooleanField(
        label=_(
            "Osoba zgadza się na kontakt w sprawie wolontariatu (zgoda zostanie zapisana z "
            "kanałem i Twoim nazwiskiem)."
        ),
        required=True,
    )
