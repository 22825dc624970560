"""The city and its districts (dzielnice), with boundaries as GeoJSON."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import BaseModel

_ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def to_roman(number: int) -> str:
    """District numbers are written in Roman numerals (I–XVIII and beyond)."""
    result = []
    for value, letters in _ROMAN:
        while number >= value:
            result.append(letters)
            number -= value
    return "".join(result)


class City(BaseModel):
    name = models.CharField(_("nazwa"), max_length=100)
    teryt = models.CharField(_("kod TERYT"), max_length=7, unique=True)
    slug = models.SlugField(_("skrót"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("miasto")
        verbose_name_plural = _("miasta")

    def __str__(self) -> str:
        return self.name


class District(BaseModel):
    city = models.ForeignKey(
        City, verbose_name=_("miasto"), on_delete=models.CASCADE, related_name="districts"
    )
    number = models.PositiveSmallIntegerField(_("numer"))
    name = models.CharField(_("nazwa"), max_length=150)
    area_km2 = models.DecimalField(_("powierzchnia (km²)"), max_digits=8, decimal_places=2)
    population = models.PositiveIntegerField(_("liczba mieszkańców"))
    population_date = models.DateField(_("stan na dzień"))
    population_source = models.CharField(_("źródło danych o ludności"), max_length=200)
    geometry = models.JSONField(_("granice (GeoJSON)"))

    class Meta:
        ordering = ["city", "number"]
        verbose_name = _("dzielnica")
        verbose_name_plural = _("dzielnice")
        constraints = [
            models.UniqueConstraint(fields=["city", "number"], name="district_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.roman} {self.name}"

    @property
    def roman(self) -> str:
        return to_roman(self.number)

    @property
    def full_name(self) -> str:
        return gettext("Dzielnica %(roman)s %(name)s") % {"roman": self.roman, "name": self.name}


class AddressPoint(BaseModel):
    """One address of the city's address register (punkt adresowy): a street, a house number and
    its position. Loaded from the city's published address points (``load_address_points``);
    addresses that people type are resolved against it (``selectors.address_locate``), never
    against a geocoder on the internet."""

    city = models.ForeignKey(
        City, verbose_name=_("miasto"), on_delete=models.CASCADE, related_name="address_points"
    )
    street = models.CharField(_("ulica"), max_length=150)
    number = models.CharField(_("numer porządkowy"), max_length=20)
    postcode = models.CharField(_("kod pocztowy"), max_length=6, blank=True)
    latitude = models.DecimalField(_("szerokość geograficzna"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("długość geograficzna"), max_digits=9, decimal_places=6)
    # the street without "ul.", "al.", "os.", … and the number, both normalised for the lookup
    street_key = models.CharField(max_length=150, editable=False)
    number_key = models.CharField(max_length=20, editable=False)

    class Meta:
        ordering = ["city", "street_key", "number_key"]
        verbose_name = _("punkt adresowy")
        verbose_name_plural = _("punkty adresowe")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "street_key", "number_key"], name="address_point_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.street} {self.number}"
