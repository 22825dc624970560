"""Community places (senior activity centres and others), rooms, events and volunteering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import ActChannel, BaseModel


class PlaceKind(models.TextChoices):
    """The kinds of places; the value is also the API's ``?kind=`` filter."""

    SENIOR_CENTRE = "senior-centre", _("Centrum Aktywności Seniorów")
    CULTURE_CENTRE = "culture-centre", _("dom kultury")
    LIBRARY = "library", _("biblioteka")
    YOUTH_CLUB = "youth-club", _("klub młodzieżowy")
    DAY_CENTRE = "day-centre", _("ośrodek dzienny dla osób z niepełnosprawnościami")
    NGO_PREMISES = "ngo-premises", _("siedziba organizacji pozarządowej")


WEEKDAYS = [
    (0, _("poniedziałek")),
    (1, _("wtorek")),
    (2, _("środa")),
    (3, _("czwartek")),
    (4, _("piątek")),
    (5, _("sobota")),
    (6, _("niedziela")),
]


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("wszyscy")
    FAMILIES = "families", _("rodziny z dziećmi")
    CHILDREN = "children", _("dzieci")
    YOUTH = "youth", _("młodzież")
    SENIORS = "seniors", _("seniorzy")
    MIGRANTS = "migrants", _("migranci i migrantki")
    DISABILITIES = "disabilities", _("osoby z niepełnosprawnościami")


class Place(BaseModel):
    """A place where residents meet: a senior activity centre (CAS), library, culture centre…

    ``opened_on``/``closed_on`` let monitoring count the network year by year; ``source`` and
    ``source_id`` tie a place to its record in the city's open-data list, so imports update it.
    """

    kind = models.CharField(_("rodzaj"), max_length=20, choices=PlaceKind.choices, db_index=True)
    name = models.CharField(_("nazwa"), max_length=200)
    slug = models.SlugField(_("adres strony"), max_length=120, unique=True)
    description = models.TextField(_("opis"), blank=True)
    street_address = models.CharField(_("ulica i numer"), max_length=200)
    postal_code = models.CharField(_("kod pocztowy"), max_length=6, blank=True)
    town = models.CharField(_("miejscowość"), max_length=100, default="Kraków")
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
    )
    latitude = models.DecimalField(
        _("szerokość geograficzna"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("długość geograficzna"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    operator = models.CharField(_("prowadzący"), max_length=200, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("strona internetowa"), blank=True)
    hours_note = models.CharField(_("uwagi o godzinach otwarcia"), max_length=300, blank=True)
    step_free = models.BooleanField(_("wejście bez schodów"), default=False)
    accessible_toilet = models.BooleanField(_("toaleta dostępna"), default=False)
    induction_loop = models.BooleanField(_("pętla indukcyjna"), default=False)
    sign_language = models.BooleanField(_("obsługa w polskim języku migowym"), default=False)
    accessibility_note = models.CharField(
        _("uwagi o dostępności"),
        max_length=500,
        blank=True,
        help_text=_("Np. „winda od podwórza, poręcze przy schodach”."),
    )
    opened_on = models.DateField(_("data otwarcia"), null=True, blank=True)
    closed_on = models.DateField(_("data zamknięcia"), null=True, blank=True)
    is_published = models.BooleanField(_("opublikowane"), default=True)
    source = models.CharField(_("źródło danych"), max_length=100, blank=True)
    source_id = models.CharField(_("identyfikator w źródle"), max_length=64, blank=True)
    city_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka prowadząca"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_places",
        help_text=_(
            "Urzędnicy tej jednostki prowadzą miejsce, decydują o rezerwacjach sal i wydarzeniach w nim."
        ),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opiekunowie miejsca"),
        blank=True,
        related_name="managed_places",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("miejsce")
        verbose_name_plural = _("miejsca")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source_id=""),
                name="place_unique_source_record",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=F("opened_on")),
                name="place_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        tail = " ".join(p for p in (self.postal_code, self.town) if p)
        return f"{self.street_address}, {tail}" if tail else self.street_address

    def is_open_on(self, day: date) -> bool:
        if self.opened_on and self.opened_on > day:
            return False
        return not (self.closed_on and self.closed_on <= day)


class OpeningHours(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("dzień tygodnia"), choices=WEEKDAYS)
    opens = models.TimeField(_("od"))
    closes = models.TimeField(_("do"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("godziny otwarcia")
        verbose_name_plural = _("godziny otwarcia")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="hours_close_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("miejsce potwierdzone")
    WAITLISTED = "waitlisted", _("lista rezerwowa")
    CANCELLED = "cancelled", _("rezygnacja")


class Activity(BaseModel):
    """A recurring activity (a weekly class, a club, a course) with a limited number of places."""

    place = models.ForeignKey(
        Place, verbose_name=_("miejsce"), on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("nazwa zajęć"), max_length=200)
    description = models.TextField(_("opis"), blank=True)
    weekday = models.PositiveSmallIntegerField(_("dzień tygodnia"), choices=WEEKDAYS)
    starts_at = models.TimeField(_("początek"))
    ends_at = models.TimeField(_("koniec"))
    capacity = models.PositiveIntegerField(_("liczba miejsc"), validators=[MinValueValidator(1)])
    audience = models.CharField(
        _("dla kogo"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    price = models.DecimalField(
        _("cena (zł)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_active = models.BooleanField(_("prowadzone"), default=True)

    class Meta:
        ordering = ["weekday", "starts_at", "title"]
        verbose_name = _("zajęcia cykliczne")
        verbose_name_plural = _("zajęcia cykliczne")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActivitySignup(BaseModel, ActChannel):
    """One person's place in a recurring activity, or their turn on its waiting list.

    It mirrors :class:`EventRegistration`: places go first come, first served up to the
    activity's capacity; the waiting list is promoted, oldest first, when a place frees up.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("zajęcia"), on_delete=models.CASCADE, related_name="signups"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_signups"
    )
    status = models.CharField(
        _("stan"), max_length=12, choices=RegistrationStatus.choices, db_index=True
    )
    promoted_at = models.DateTimeField(_("przeniesiono z listy rezerwowej"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("rezygnacja"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("zapis na zajęcia")
        verbose_name_plural = _("zapisy na zajęcia")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=~Q(status="cancelled"),
                name="activity_signup_one_active_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.user_id} {self.status}"


# --- Rooms for civic activity --------------------------------------------------------------------


class Room(BaseModel):
    place = models.ForeignKey(
        Place, verbose_name=_("miejsce"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("nazwa sali"), max_length=120)
    capacity = models.PositiveIntegerField(_("liczba osób"), validators=[MinValueValidator(1)])
    description = models.TextField(_("opis i wyposażenie"), blank=True)
    step_free = models.BooleanField(_("dostępna bez schodów"), default=False)
    is_bookable = models.BooleanField(_("można rezerwować"), default=True)

    class Meta:
        ordering = ["place__name", "name"]
        verbose_name = _("sala")
        verbose_name_plural = _("sale")
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="room_unique_name_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.place.name}: {self.name}"


class ApplicantKind(models.TextChoices):
    RESIDENT = "resident", _("mieszkaniec lub mieszkanka")
    NGO = "ngo", _("organizacja pozarządowa")
    INFORMAL_GROUP = "informal_group", _("grupa nieformalna")


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("oczekuje na decyzję")
    APPROVED = "approved", _("zatwierdzona")
    REJECTED = "rejected", _("odrzucona")
    CANCELLED = "cancelled", _("anulowana")


# A request holds its slot until it is decided, so two people never get the same room at once.
ACTIVE_BOOKING_STATUSES = (BookingStatus.REQUESTED, BookingStatus.APPROVED)


class RoomBooking(BaseModel):
    room = models.ForeignKey(
        Room, verbose_name=_("sala"), on_delete=models.PROTECT, related_name="bookings"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wnioskodawca"),
        on_delete=models.PROTECT,
        related_name="room_bookings",
    )
    applicant_kind = models.CharField(
        _("kto rezerwuje"), max_length=20, choices=ApplicantKind.choices
    )
    applicant_name = models.CharField(_("nazwa organizacji lub grupy"), max_length=200, blank=True)
    purpose = models.CharField(_("cel spotkania"), max_length=300)
    attendees = models.PositiveIntegerField(
        _("liczba uczestników"), validators=[MinValueValidator(1)]
    )
    starts_at = models.DateTimeField(_("od"))
    ends_at = models.DateTimeField(_("do"))
    status = models.CharField(
        _("stan"),
        max_length=20,
        choices=BookingStatus.choices,
        default=BookingStatus.REQUESTED,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decyzję podjął"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("data decyzji"), null=True, blank=True)
    decision_reason = models.TextField(_("uzasadnienie decyzji"), blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("rezerwacja sali")
        verbose_name_plural = _("rezerwacje sal")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"
            ),
            # The last line of defence against two holds starting together; overlaps in general
            # are refused by the service under a lock on the room.
            models.UniqueConstraint(
                fields=["room", "starts_at"],
                condition=Q(status__in=["requested", "approved"]),
                name="booking_one_active_per_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_BOOKING_STATUSES


# --- Events --------------------------------------------------------------------------------------


class OrganiserKind(models.TextChoices):
    PLACE = "place", _("miejsce")
    NGO = "ngo", _("organizacja pozarządowa")
    CITY = "city", _("miasto")


class Programme(models.TextChoices):
    FAMILY = "family", _("program rodzinny")
    INTERGENERATIONAL = "intergenerational", _("program międzypokoleniowy")
    INTERCULTURAL = "intercultural", _("program międzykulturowy")
    MIGRANTS = "migrants", _("dla migrantów i migrantek")
    CIVIC = "civic", _("aktywność obywatelska")
    CULTURE = "culture", _("kultura i rekreacja")
    OTHER = "other", _("inne")


class EventLanguage(models.TextChoices):
    POLISH = "pl", _("polski")
    ENGLISH = "en", _("angielski")
    UKRAINIAN = "uk", _("ukraiński")
    MULTILINGUAL = "multi", _("kilka języków")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("szkic")
    PUBLISHED = "published", _("opublikowane")
    CANCELLED = "cancelled", _("odwołane")


class Event(BaseModel):
    title = models.CharField(_("tytuł"), max_length=200)
    description = models.TextField(_("opis"))
    organiser_kind = models.CharField(
        _("organizator"), max_length=10, choices=OrganiserKind.choices
    )
    organiser_name = models.CharField(_("nazwa organizatora"), max_length=200)
    place = models.ForeignKey(
        Place,
        verbose_name=_("miejsce"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    location = models.CharField(
        _("adres (gdy wydarzenie jest poza miejscem z listy)"), max_length=200, blank=True
    )
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_events",
    )
    starts_at = models.DateTimeField(_("początek"), db_index=True)
    ends_at = models.DateTimeField(_("koniec"))
    programme = models.CharField(
        _("program"), max_length=20, choices=Programme.choices, default=Programme.OTHER
    )
    audience = models.CharField(
        _("dla kogo"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    language = models.CharField(
        _("język wydarzenia"),
        max_length=5,
        choices=EventLanguage.choices,
        default=EventLanguage.POLISH,
    )
    price = models.DecimalField(
        _("cena (zł)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    step_free = models.BooleanField(_("dostępne bez schodów"), default=False)
    induction_loop = models.BooleanField(_("pętla indukcyjna"), default=False)
    sign_language = models.BooleanField(_("tłumaczenie na polski język migowy"), default=False)
    capacity = models.PositiveIntegerField(
        _("liczba miejsc"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Puste pole: wstęp wolny, bez zapisów."),
    )
    status = models.CharField(
        _("stan"),
        max_length=10,
        choices=EventStatus.choices,
        default=EventStatus.PUBLISHED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dodał(a)"),
        on_delete=models.PROTECT,
        related_name="community_events",
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("wydarzenie")
        verbose_name_plural = _("wydarzenia")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_registration(self) -> bool:
        return self.capacity is not None

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def where(self) -> str:
        if self.place is not None:
            return f"{self.place.name}, {self.place.address}"
        return self.location


class EventRegistration(BaseModel, ActChannel):
    """One person's place at an event, or their turn on its waiting list (oldest first)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(
        _("stan"), max_length=12, choices=RegistrationStatus.choices, db_index=True
    )
    promoted_at = models.DateTimeField(_("przeniesiono z listy rezerwowej"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("rezygnacja"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("zapis na wydarzenie")
        verbose_name_plural = _("zapisy na wydarzenia")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.user_id} {self.status}"


# --- Volunteering --------------------------------------------------------------------------------


class Skill(models.Model):
    name = models.CharField(_("nazwa"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("umiejętność")
        verbose_name_plural = _("umiejętności")

    def __str__(self) -> str:
        return self.name


class Availability(models.Model):
    """When someone can help (or when help is needed): four parts of the week."""

    weekday_mornings = models.BooleanField(_("dni robocze, rano"), default=False)
    weekday_afternoons = models.BooleanField(_("dni robocze, po południu"), default=False)
    weekday_evenings = models.BooleanField(_("dni robocze, wieczorem"), default=False)
    weekends = models.BooleanField(_("weekendy"), default=False)

    AVAILABILITY_FIELDS = ("weekday_mornings", "weekday_afternoons", "weekday_evenings", "weekends")

    class Meta:
        abstract = True


class OfferStatus(models.TextChoices):
    OPEN = "open", _("nabór otwarty")
    CLOSED = "closed", _("nabór zamknięty")


class VolunteerOffer(BaseModel, Availability):
    """A volunteering offer by an NGO or a city unit: the task, when, where, who may help."""

    title = models.CharField(_("tytuł"), max_length=200)
    task = models.TextField(_("na czym polega zadanie"))
    organiser_kind = models.CharField(
        _("organizator"), max_length=10, choices=OrganiserKind.choices, default=OrganiserKind.NGO
    )
    organiser_name = models.CharField(_("nazwa organizatora"), max_length=200)
    organiser_address = models.CharField(_("adres organizatora"), max_length=200, blank=True)
    place = models.ForeignKey(
        Place,
        verbose_name=_("miejsce"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_offers",
    )
    location = models.CharField(_("gdzie"), max_length=200, blank=True)
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_offers",
    )
    starts_on = models.DateField(_("od dnia"))
    ends_on = models.DateField(_("do dnia"))
    time_commitment = models.CharField(
        _("ile czasu"), max_length=200, help_text=_("Np. „2 godziny w tygodniu, soboty rano”.")
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("potrzebne umiejętności"), blank=True)
    min_age = models.PositiveSmallIntegerField(
        _("minimalny wiek"), default=16, validators=[MaxValueValidator(100)]
    )
    volunteers_needed = models.PositiveIntegerField(
        _("liczba wolontariuszy"), default=1, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("stan"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("koordynator"),
        on_delete=models.PROTECT,
        related_name="volunteer_offers",
    )

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("oferta wolontariatu")
        verbose_name_plural = _("oferty wolontariatu")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="offer_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def needs_written_agreement(self) -> bool:
        """Art. 44 of the act on public-benefit activity and volunteering: over 30 days, in writing."""
        return self.duration_days > settings_agreement_days()


def settings_agreement_days() -> int:
    return int(getattr(settings, "VOLUNTEER_WRITTEN_AGREEMENT_AFTER_DAYS", 30))


class VolunteerProfile(BaseModel, ActChannel, Availability):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_profile"
    )
    birth_date = models.DateField(
        _("data urodzenia"),
        help_text=_(
            "Potrzebna, by sprawdzić minimalny wiek wolontariusza. Nie pokazujemy jej nikomu."
        ),
    )
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica, w której chcę pomagać"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("moje umiejętności"), blank=True)
    about = models.TextField(_("kilka słów o sobie"), blank=True)

    class Meta:
        verbose_name = _("profil wolontariusza")
        verbose_name_plural = _("profile wolontariuszy")

    def __str__(self) -> str:
        return str(self.user)

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("zgłoszenie wysłane")
    ACCEPTED = "accepted", _("przyjęte")
    REJECTED = "rejected", _("nieprzyjęte")
    WITHDRAWN = "withdrawn", _("wycofane")


class VolunteerApplication(BaseModel, ActChannel):
    offer = models.ForeignKey(VolunteerOffer, on_delete=models.CASCADE, related_name="applications")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_applications"
    )
    message = models.TextField(_("wiadomość do koordynatora"), blank=True)
    status = models.CharField(
        _("stan"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("data decyzji"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("zgłoszenie wolontariusza")
        verbose_name_plural = _("zgłoszenia wolontariuszy")
        constraints = [
            models.UniqueConstraint(fields=["offer", "volunteer"], name="application_once"),
        ]

    def __str__(self) -> str:
        return f"{self.offer} — {self.volunteer}"


class HoursStatus(models.TextChoices):
    LOGGED = "logged", _("czeka na potwierdzenie")
    CONFIRMED = "confirmed", _("potwierdzone")
    REJECTED = "rejected", _("niepotwierdzone")


class VolunteerHours(BaseModel):
    """Hours a volunteer logs; only hours the organiser confirmed count towards the certificate."""

    application = models.ForeignKey(
        VolunteerApplication, on_delete=models.CASCADE, related_name="hours"
    )
    day = models.DateField(_("dzień"))
    hours = models.DecimalField(
        _("liczba godzin"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    description = models.CharField(_("co zrobiono"), max_length=300)
    status = models.CharField(
        _("stan"), max_length=10, choices=HoursStatus.choices, default=HoursStatus.LOGGED
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("data potwierdzenia"), null=True, blank=True)
    rejection_reason = models.CharField(_("powód"), max_length=300, blank=True)

    class Meta:
        ordering = ["day", "id"]
        verbose_name = _("godziny wolontariatu")
        verbose_name_plural = _("godziny wolontariatu")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="hours_within_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.hours} h"


class AgreementSigning(models.TextChoices):
    """How a written volunteering agreement was signed (art. 44 ust. 2 of the act: written form;
    art. 78¹ of the Civil Code: a qualified electronic signature is equivalent to it)."""

    SIGNATURE_FILE = "file", _("podpisem kwalifikowanym lub zaufanym (plik z podpisem)")
    PAPER = "paper", _("na papierze, podpisami własnoręcznymi")


def _agreement_file_path(instance: VolunteerAgreement, filename: str) -> str:
    """Kept apart from public media: under the application's id and a random part."""
    from django.utils.crypto import get_random_string

    name = filename.rsplit("/", 1)[-1][-80:]
    return f"community/agreements/{instance.application_id}/{get_random_string(16)}-{name}"


class VolunteerAgreement(BaseModel):
    """The written agreement (porozumienie) required for volunteering longer than 30 days.

    Its terms are frozen when it is drawn up. It counts as signed only once the organiser has
    recorded a written form: a file signed with a qualified or trusted-profile signature
    (PAdES/XAdES, kept with its SHA-256) or the paper copies signed by both sides (with the
    date, who recorded it and optionally a scan). A volunteer under 18 needs the written consent
    of a parent or guardian.
    """

    application = models.OneToOneField(
        VolunteerApplication, on_delete=models.CASCADE, related_name="agreement"
    )
    number = models.CharField(_("numer"), max_length=40, unique=True)
    scope = models.TextField(_("zakres świadczeń"))
    starts_on = models.DateField(_("od dnia"))
    ends_on = models.DateField(_("do dnia"))
    organiser_name = models.CharField(_("korzystający"), max_length=200)
    organiser_address = models.CharField(_("adres korzystającego"), max_length=200, blank=True)
    volunteer_name = models.CharField(_("wolontariusz"), max_length=200)
    volunteer_is_minor = models.BooleanField(_("wolontariusz niepełnoletni"), default=False)
    guardian_name = models.CharField(
        _("rodzic lub opiekun prawny (dla osoby niepełnoletniej)"), max_length=200, blank=True
    )
    signed_via = models.CharField(
        _("sposób podpisania"), max_length=10, choices=AgreementSigning.choices, blank=True
    )
    signed_on = models.DateField(_("data podpisania"), null=True, blank=True)
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("podpisanie zapisał(a)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signature_recorded_at = models.DateTimeField(_("podpisanie zapisano"), null=True, blank=True)
    signature_file = models.FileField(
        _("plik z podpisami"), upload_to=_agreement_file_path, blank=True, max_length=300
    )
    signature_sha256 = models.CharField(_("SHA-256 pliku z podpisami"), max_length=64, blank=True)
    paper_scan = models.FileField(
        _("skan podpisanego porozumienia"),
        upload_to=_agreement_file_path,
        blank=True,
        max_length=300,
    )
    paper_scan_sha256 = models.CharField(_("SHA-256 skanu"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("porozumienie wolontariackie")
        verbose_name_plural = _("porozumienia wolontariackie")
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_via="")
                | (Q(signed_on__isnull=False) & Q(signature_recorded_at__isnull=False)),
                name="agreement_signing_recorded",
            ),
            models.CheckConstraint(
                # The digest stays as the record of what was signed after retention removes
                # the file itself.
                condition=~Q(signed_via="file") | ~Q(signature_sha256=""),
                name="agreement_signed_file_digest",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_signed(self) -> bool:
        """Signed in writing, as recorded by the organiser: never by a click."""
        return bool(self.signed_via and self.signed_on)
