"""The registry of applicants: NGOs, informal groups and individual applicants.

An ``Organisation`` is whoever applies for support: a registered NGO (KRS, NIP, REGON), an
informal group of residents (at least three adults, one of them the leader) or one person (a
young person with an adult guardian, or a resident proposing a local initiative). ``Membership``
links platform accounts to it and decides who may act for it; ``OrganisationPerson`` lists the
people named in its records (board members authorised to represent it, group members, guardians),
who need not have an account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import ActChannel, BaseModel


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("organizacja pozarządowa")
    INFORMAL_GROUP = "informal_group", _("grupa nieformalna")
    INDIVIDUAL = "individual", _("osoba fizyczna")


class LegalForm(models.TextChoices):
    """Legal forms of NGOs (art. 3 of the act on public-benefit activity and volunteering)."""

    FOUNDATION = "foundation", _("fundacja")
    ASSOCIATION = "association", _("stowarzyszenie rejestrowe")
    ORDINARY_ASSOCIATION = "ordinary_association", _("stowarzyszenie zwykłe")
    SPORTS_CLUB = "sports_club", _("uczniowski klub sportowy")
    SOCIAL_COOPERATIVE = "social_cooperative", _("spółdzielnia socjalna")
    NONPROFIT_COMPANY = "nonprofit_company", _("spółka non-profit")
    CHURCH_ENTITY = "church_entity", _("kościelna osoba prawna")
    OTHER = "other", _("inna forma")


# Legal forms entered in the National Court Register (KRS); the others keep their own registers.
KRS_LEGAL_FORMS = frozenset(
    {
        LegalForm.FOUNDATION,
        LegalForm.ASSOCIATION,
        LegalForm.SOCIAL_COOPERATIVE,
        LegalForm.NONPROFIT_COMPANY,
    }
)


class PublicBenefitArea(models.TextChoices):
    """Spheres of public tasks (art. 4 sec. 1 of the act), the ones Kraków's calls use."""

    SOCIAL_ASSISTANCE = "social_assistance", _("pomoc społeczna")
    CHARITY = "charity", _("działalność charytatywna")
    HEALTH = "health", _("ochrona i promocja zdrowia")
    DISABILITY = "disability", _("działalność na rzecz osób z niepełnosprawnościami")
    SENIORS = "seniors", _("działalność na rzecz osób w wieku emerytalnym")
    EDUCATION = "education", _("nauka, edukacja, oświata i wychowanie")
    YOUTH_LEISURE = "youth_leisure", _("wypoczynek dzieci i młodzieży")
    CULTURE = "culture", _("kultura, sztuka, ochrona dóbr kultury i dziedzictwa narodowego")
    SPORT = "sport", _("wspieranie i upowszechnianie kultury fizycznej")
    ECOLOGY = "ecology", _("ekologia, ochrona zwierząt i dziedzictwa przyrodniczego")
    TOURISM = "tourism", _("turystyka i krajoznawstwo")
    SAFETY = "safety", _("porządek i bezpieczeństwo publiczne")
    FOREIGNERS = "foreigners", _("integracja cudzoziemców")
    LOCAL_COMMUNITY = "local_community", _("rozwój wspólnot i społeczności lokalnych")
    ADDICTIONS = "addictions", _("przeciwdziałanie uzależnieniom i patologiom społecznym")
    FAMILY = "family", _("działalność na rzecz rodziny i rodzicielstwa")
    EMPLOYMENT = "employment", _("promocja zatrudnienia i aktywizacja zawodowa")
    EQUALITY = "equality", _("równe prawa kobiet i mężczyzn, przeciwdziałanie dyskryminacji")
    HUMAN_RIGHTS = "human_rights", _("prawa człowieka, swobody obywatelskie i demokracja")
    VOLUNTEERING = "volunteering", _("promocja i organizacja wolontariatu")
    NGO_SUPPORT = "ngo_support", _("wspieranie organizacji pozarządowych")


class VerificationStatus(models.TextChoices):
    NEW = "new", _("nowy wpis")
    PENDING = "pending", _("oczekuje na weryfikację")
    VERIFIED = "verified", _("zweryfikowany")
    REJECTED = "rejected", _("odrzucony — wymaga poprawek")
    SUSPENDED = "suspended", _("zawieszony")


class Organisation(BaseModel, ActChannel):
    """An applicant in the registry. One registered on paper or at a counter is keyed in by a
    clerk (``channel``, ``keyed_by``) for the person who represents it, who may have no account."""

    kind = models.CharField(_("rodzaj wnioskodawcy"), max_length=20, choices=OrganisationKind)
    name = models.CharField(_("nazwa"), max_length=300)
    legal_form = models.CharField(_("forma prawna"), max_length=30, choices=LegalForm, blank=True)
    krs = models.CharField(_("numer KRS"), max_length=10, blank=True)
    nip = models.CharField(_("NIP"), max_length=10, blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True)
    public_benefit_status = models.BooleanField(
        _("status organizacji pożytku publicznego"), default=False
    )
    street_address = models.CharField(_("ulica i numer"), max_length=200, blank=True)
    postal_code = models.CharField(_("kod pocztowy"), max_length=6, blank=True)
    city = models.CharField(_("miejscowość"), max_length=100, blank=True)
    email = models.EmailField(_("adres e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    website = models.URLField(_("strona internetowa"), blank=True)
    description = models.TextField(_("opis działalności"), blank=True)
    districts = models.ManyToManyField(
        "territory.District",
        verbose_name=_("dzielnice działania"),
        related_name="organisations",
        blank=True,
    )
    status = models.CharField(
        _("status weryfikacji"),
        max_length=20,
        choices=VerificationStatus,
        default=VerificationStatus.NEW,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("zmiana statusu"), null=True, blank=True)
    verified_at = models.DateTimeField(_("zweryfikowano"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zweryfikował(a)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_note = models.TextField(_("uwagi weryfikującego"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("połączono z wpisem"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_entries",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utworzył(a)"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("wnioskodawca")
        verbose_name_plural = _("rejestr wnioskodawców")
        constraints = [
            # Only entries an official has verified hold their KRS and NIP: an unverified entry
            # (a mistake or a squatter) never blocks the real organisation from registering.
            models.UniqueConstraint(
                fields=["krs"],
                condition=~Q(krs="") & Q(status__in=["verified", "suspended"]),
                name="organisation_unique_verified_krs",
            ),
            models.UniqueConstraint(
                fields=["nip"],
                condition=~Q(nip="") & Q(status__in=["verified", "suspended"]),
                name="organisation_unique_verified_nip",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.NGO) | Q(krs="", nip="", regon="", legal_form=""),
                name="organisation_identifiers_only_for_ngos",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        """Verified NGOs and groups have a public profile; individuals never do."""
        return (
            self.status == VerificationStatus.VERIFIED and self.kind != OrganisationKind.INDIVIDUAL
        )

    @property
    def is_ngo(self) -> bool:
        return self.kind == OrganisationKind.NGO


class OrganisationArea(models.Model):
    """One public-benefit area an organisation works in."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="areas")
    area = models.CharField(
        _("obszar pożytku publicznego"), max_length=30, choices=PublicBenefitArea
    )

    class Meta:
        ordering = ["area"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "area"], name="organisation_area_once"),
        ]

    def __str__(self) -> str:
        return str(self.get_area_display())


class PersonRole(models.TextChoices):
    BOARD_MEMBER = "board_member", _("członek zarządu lub osoba upoważniona")
    GROUP_LEADER = "group_leader", _("lider grupy")
    GROUP_MEMBER = "group_member", _("członek grupy")
    APPLICANT = "applicant", _("wnioskodawca (osoba fizyczna)")
    GUARDIAN = "guardian", _("pełnoletni opiekun")


class OrganisationPerson(BaseModel):
    """A person named in the applicant's records; birth dates are seen by officials only."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="people",
        verbose_name=_("wnioskodawca"),
    )
    full_name = models.CharField(_("imię i nazwisko"), max_length=150)
    role = models.CharField(_("rola"), max_length=20, choices=PersonRole)
    function = models.CharField(
        _("funkcja"),
        max_length=100,
        blank=True,
        help_text=_("Np. prezes zarządu, skarbnik, koordynatorka."),
    )
    may_represent = models.BooleanField(_("może reprezentować i podpisywać umowy"), default=False)
    birth_date = models.DateField(_("data urodzenia"), null=True, blank=True)
    email = models.EmailField(_("adres e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("konto na platformie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["organisation", "role", "full_name", "id"]
        verbose_name = _("osoba wnioskodawcy")
        verbose_name_plural = _("osoby wnioskodawcy")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"


class MembershipRole(models.TextChoices):
    REPRESENTATIVE = "representative", _("przedstawiciel")
    MEMBER = "member", _("członek")


class Membership(BaseModel):
    """A platform account acting for an applicant.

    Representatives manage the profile, its people and members, and submit applications and
    reports; members prepare drafts and read everything the applicant filed.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    role = models.CharField(_("rola"), max_length=20, choices=MembershipRole)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "role", "id"]
        verbose_name = _("członkostwo")
        verbose_name_plural = _("członkostwa")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


class DocumentKind(models.TextChoices):
    STATUTE = "statute", _("statut")
    REGISTER_EXTRACT = "register_extract", _("odpis lub wyciąg z rejestru")
    GROUP_DECLARATION = "group_declaration", _("oświadczenie członków grupy")
    GUARDIAN_CONSENT = "guardian_consent", _("zgoda opiekuna")
    ANNUAL_REPORT = "annual_report", _("sprawozdanie roczne")
    OTHER = "other", _("inny dokument")


def _document_path(instance: OrganisationDocument, filename: str) -> str:
    return f"organisations/{instance.organisation_id}/{instance.sha256[:16]}-{filename}"


class OrganisationDocument(BaseModel):
    """A document in the applicant's file; public ones (statute, reports) show on the profile."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("rodzaj dokumentu"), max_length=30, choices=DocumentKind)
    title = models.CharField(_("tytuł"), max_length=200)
    file = models.FileField(_("plik"), upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("nazwa pliku"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("rozmiar (bajty)"))
    sha256 = models.CharField(_("suma kontrolna SHA-256"), max_length=64)
    is_public = models.BooleanField(_("pokazuj w profilu publicznym"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "kind", "-created_at"]
        verbose_name = _("dokument")
        verbose_name_plural = _("dokumenty")

    def __str__(self) -> str:
        return self.title
