"""Forms of the participatory budget. They parse what people type; services decide the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.models import CityUnit, User
from wspolnota.accounts.roles import Role
from wspolnota.budget.models import (
    CHECKLISTS,
    OPEN_CASE_STATUSES,
    AppealDecision,
    Category,
    Edition,
    Phase,
    Pool,
    Project,
    ProjectStatus,
    Recommendation,
    Review,
    ReviewStage,
)
from wspolnota.budget.selectors import PUBLIC_STATUSES
from wspolnota.budget.services import CostLine, ProjectContent
from wspolnota.budget.thread import LaterStage
from wspolnota.core.parsing import total_forms
from wspolnota.territory.models import District


def parse_decimal(raw: str) -> Decimal:
    """Accept what people type: spaces between thousands, a comma or a dot before the grosze."""
    text = raw.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise forms.ValidationError(
            _("Wpisz liczbę, np. 1500 albo 1 500,50."), code="invalid"
        ) from None
    if not value.is_finite():
        raise forms.ValidationError(_("Wpisz liczbę, np. 1500 albo 1 500,50."), code="invalid")
    return value


class LenientDecimalField(forms.Field):
    """A number field that keeps the typed text on error and accepts Polish and English notation."""

    widget = forms.TextInput

    def __init__(self, *, max_abs: Decimal | None = None, places: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_abs = max_abs
        self.places = places

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text:
            return None
        if len(text) > 30:
            raise forms.ValidationError(_("Liczba jest za długa."), code="max_length")
        number = parse_decimal(text)
        if self.max_abs is not None and abs(number) > self.max_abs:
            raise forms.ValidationError(_("Liczba jest za duża."), code="max_value")
        return number.quantize(Decimal(1).scaleb(-self.places))


class PoolChoiceField(forms.ModelChoiceField[Pool]):
    def label_from_instance(self, obj: Pool) -> str:
        return str(obj.label)


class ProjectForm(forms.Form):
    pool = PoolChoiceField(
        queryset=Pool.objects.none(),
        label=_("Pula"),
        help_text=_(
            "Projekt ogólnomiejski służy całemu miastu; dzielnicowy — mieszkańcom jednej dzielnicy."
        ),
        empty_label=_("— wybierz pulę —"),
    )
    title = forms.CharField(label=_("Tytuł projektu"), max_length=200)
    short_description = forms.CharField(
        label=_("Krótki opis"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description = forms.CharField(
        label=_("Pełny opis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Co powstanie, gdzie, komu posłuży i dlaczego jest potrzebne."),
    )
    category = forms.ChoiceField(
        label=_("Kategoria"),
        required=False,
        choices=[("", _("— wybierz kategorię —")), *Category.choices],
    )
    address = forms.CharField(
        label=_("Lokalizacja: adres lub numer działki"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    latitude = LenientDecimalField(
        label=_("Szerokość geograficzna"),
        required=False,
        max_abs=Decimal(90),
        places=6,
        help_text=_("Nieobowiązkowe. Miejsce na mapie, np. 50,0614 (odczytasz je z mapy miasta)."),
    )
    longitude = LenientDecimalField(
        label=_("Długość geograficzna"),
        required=False,
        max_abs=Decimal(180),
        places=6,
        help_text=_("Np. 19,9366."),
    )
    author_is_minor = forms.BooleanField(label=_("Jestem osobą niepełnoletnią"), required=False)
    guardian_name = forms.CharField(
        label=_("Imię i nazwisko opiekuna prawnego"),
        max_length=150,
        required=False,
        help_text=_("Wypełnia osoba niepełnoletnia."),
    )
    guardian_consent = forms.BooleanField(
        label=_("Mój opiekun prawny zgadza się na zgłoszenie projektu"), required=False
    )
    author_name_public = forms.BooleanField(
        label=_("Pokaż moje imię i nazwisko przy projekcie"), required=False
    )
    data_protection = forms.BooleanField(
        label=_(
            "Zapoznałem się / zapoznałam się z klauzulą o ochronie danych osobowych i ją akceptuję"
        ),
        required=False,
        help_text=_(
            "Administratorem danych jest Prezydent Miasta. Dane autora służą do kontaktu w sprawie "
            "projektu i są przechowywane do końca realizacji edycji; imię i nazwisko publikujemy tylko za zgodą."
        ),
    )

    def __init__(
        self, *args: Any, edition: Edition, fixed_pool: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.edition = edition
        pools: QuerySet[Pool] = (
            edition.pools.select_related("district", "edition__city")
            .defer("district__geometry")
            .order_by("kind", "district__number")
        )
        self.fields["pool"].queryset = pools  # type: ignore[attr-defined]
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", _("— wybierz kategorię —")), *edition.offered_categories()]
        self.fields["short_description"].help_text = _(
            "Od %(min)d do %(max)d znaków; pokazujemy go w katalogu i na karcie do głosowania."
        ) % {"min": edition.short_description_min, "max": edition.short_description_max}
        if fixed_pool:
            self.fields["pool"].disabled = True
            self.fields["pool"].help_text = _("Po zgłoszeniu projektu nie można zmienić puli.")

    def content(self, lines: list[CostLine]) -> ProjectContent:
        data = self.cleaned_data
        return ProjectContent(
            pool=data["pool"],
            title=data["title"],
            short_description=data["short_description"],
            description=data["description"],
            category=data["category"],
            address=data["address"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            cost_items=lines,
            author_is_minor=data["author_is_minor"],
            guardian_name=data["guardian_name"],
            guardian_consent=data["guardian_consent"],
            data_protection_accepted=data["data_protection"],
            author_name_public=data["author_name_public"],
        )

    @staticmethod
    def initial_for(project: Project) -> dict[str, Any]:
        return {
            "pool": project.pool_id,
            "title": project.title,
            "short_description": project.short_description,
            "description": project.description,
            "category": project.category,
            "address": project.address,
            "latitude": project.latitude,
            "longitude": project.longitude,
            "author_is_minor": project.author_is_minor,
            "guardian_name": project.guardian_name,
            "guardian_consent": project.guardian_consent,
            "author_name_public": bool(project.author_display_name),
            "data_protection": project.data_protection_accepted_at is not None,
        }


class CostItemForm(forms.Form):
    name = forms.CharField(label=_("Nazwa pozycji"), max_length=200, required=False)
    amount = LenientDecimalField(
        label=_("Kwota (zł)"), required=False, max_abs=Decimal("999999999999")
    )

    def line(self) -> CostLine | None:
        name = self.cleaned_data.get("name", "")
        amount = self.cleaned_data.get("amount")
        if not name and amount is None:
            return None
        return CostLine(name=name, amount=amount if amount is not None else Decimal("0"))


CostItemFormSet = forms.formset_factory(CostItemForm, extra=0, max_num=50, absolute_max=60)
COST_PREFIX = "cost"
MIN_COST_ROWS = 3


def cost_formset(data: Any = None, *, project: Project | None = None, add_row: bool = False) -> Any:
    """The cost table; blank rows are ignored and "add a row" works without JavaScript."""
    if data is not None:
        formset = CostItemFormSet(data, prefix=COST_PREFIX)
        total = total_forms(data, COST_PREFIX)
        if add_row and total is not None:
            mutable = data.copy()
            mutable[f"{COST_PREFIX}-TOTAL_FORMS"] = str(min(total + 1, 50))
            formset = CostItemFormSet(mutable, prefix=COST_PREFIX)
        return formset
    initial = []
    if project is not None:
        initial = [
            {"name": i.name, "amount": i.amount} for i in project.cost_items.order_by("position")
        ]
    formset = CostItemFormSet(prefix=COST_PREFIX, initial=initial)
    formset.extra = max(MIN_COST_ROWS - len(initial), 1)
    return formset


def cost_lines(formset: Any) -> list[CostLine]:
    return [line for form in formset.forms if (line := form.line()) is not None]


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Plik"),
        help_text=_("Zdjęcie JPEG lub PNG albo dokument PDF."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"}
        ),
    )
    description = forms.CharField(label=_("Opis załącznika"), max_length=200, required=False)

    def __init__(self, *args: Any, edition: Edition | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if edition is not None:
            self.fields["file"].help_text = _(
                "Zdjęcie JPEG lub PNG albo dokument PDF, najwyżej %(mb)d MB; do %(count)d plików."
            ) % {"mb": edition.max_attachment_mb, "count": edition.max_attachments}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PaperListForm(forms.Form):
    received_on = forms.DateField(label=_("Data wpływu listy"), widget=DateInput())
    signatures_valid = forms.IntegerField(
        label=_("Liczba ważnych podpisów"), min_value=0, max_value=10000
    )
    signatures_rejected = forms.IntegerField(
        label=_("Liczba podpisów nieważnych"),
        min_value=0,
        max_value=10000,
        initial=0,
        required=False,
    )
    note = forms.CharField(label=_("Uwagi"), max_length=300, required=False)


class UnitChoiceField(forms.ModelChoiceField[CityUnit]):
    def label_from_instance(self, obj: CityUnit) -> str:
        return f"{obj.name} ({obj.code})"


class OfficialChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.email} ({obj.email})"


def _officials() -> QuerySet[User]:
    return (
        User.objects.filter(role_assignments__role=Role.OFFICIAL, is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )


class AssignForm(forms.Form):
    """Open the verification (lead unit) or ask another unit for its merit opinion."""

    unit = UnitChoiceField(queryset=CityUnit.objects.order_by("name"), label=_("Jednostka miejska"))
    official = OfficialChoiceField(
        queryset=User.objects.none(),
        label=_("Urzędnik (nieobowiązkowo)"),
        required=False,
        empty_label=_("— dowolny urzędnik jednostki —"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["official"].queryset = _officials()  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Wynik oceny"),
        choices=[("passed", _("pozytywna")), ("failed", _("negatywna"))],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Uwagi i uzasadnienie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"review-{review.pk}")
        super().__init__(*args, **kwargs)
        self.review = review
        checklist_fields = {}
        for key, label in CHECKLISTS[ReviewStage(review.stage)]:
            checklist_fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)  # type: ignore[arg-type]
        self.fields = {**checklist_fields, **self.fields}

    def checklist(self) -> dict[str, bool]:
        return {
            name.removeprefix("check_"): bool(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("check_")
        }


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label=_("Co autor ma poprawić i dlaczego"), widget=forms.Textarea(attrs={"rows": 4})
    )
    days = forms.IntegerField(label=_("Termin na poprawki (dni)"), min_value=1, max_value=30)


class CostEstimateForm(forms.Form):
    verified_cost = LenientDecimalField(
        label=_("Koszt po weryfikacji (zł)"), max_abs=Decimal("999999999999")
    )
    reason = forms.CharField(label=_("Powód zmiany"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Wynik weryfikacji"),
        choices=[("positive", _("pozytywny")), ("negative", _("negatywny"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Publiczne uzasadnienie"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Uzasadnienie ukaże się na stronie projektu i w wiadomości do autora."),
    )


class ProjectChoiceField(forms.ModelChoiceField[Project]):
    def label_from_instance(self, obj: Project) -> str:
        return f"{obj.number} {obj.title}"


class MergeForm(forms.Form):
    target = ProjectChoiceField(queryset=Project.objects.none(), label=_("Połącz z projektem"))
    reason = forms.CharField(
        label=_("Dlaczego warto je połączyć"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (  # type: ignore[attr-defined]
            Project.objects.filter(
                pool_id=project.pool_id,
                status__in=OPEN_CASE_STATUSES | {ProjectStatus.VERIFIED_POSITIVE},
            )
            .exclude(pk=project.pk)
            .order_by("sequence")
        )


class MergeAnswerForm(forms.Form):
    consent = forms.ChoiceField(
        label=_("Twoja odpowiedź"),
        choices=[("yes", _("zgadzam się na połączenie")), ("no", _("nie zgadzam się"))],
        widget=forms.RadioSelect,
    )


class AppealForm(forms.Form):
    justification = forms.CharField(
        label=_("Uzasadnienie odwołania"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Napisz, z którą częścią uzasadnienia weryfikacji się nie zgadzasz i dlaczego."
        ),
    )


class RecommendationForm(forms.Form):
    meeting_on = forms.DateField(
        label=_("Data posiedzenia Rady Budżetu Obywatelskiego"), widget=DateInput()
    )
    recommendation = forms.ChoiceField(
        label=_("Rekomendacja Rady"), choices=Recommendation.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Uzasadnienie rekomendacji"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decyzja Prezydenta"), choices=AppealDecision.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Uzasadnienie decyzji"), widget=forms.Textarea(attrs={"rows": 4})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód wycofania (nieobowiązkowo)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("Rozumiem, że wycofanego projektu nie można przywrócić"))


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Potwierdzam"))


class PhasesForm(forms.Form):
    """Dates of an edition's phases (local time)."""

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.edition = edition
        for kind, label in Phase.choices:
            window = edition.phase_window(kind)
            for end, text in (("starts_at", _("początek")), ("ends_at", _("koniec"))):
                field = forms.DateTimeField(
                    label=f"{label}: {text}",
                    required=False,
                    widget=forms.DateTimeInput(
                        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                    ),
                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                )
                if window is not None:
                    field.initial = timezone.localtime(
                        window[0] if end == "starts_at" else window[1]
                    )
                self.fields[f"{kind}__{end}"] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind, label in Phase.choices:
            start, end = data.get(f"{kind}__starts_at"), data.get(f"{kind}__ends_at")
            if (start is None) != (end is None):
                self.add_error(
                    f"{kind}__ends_at",
                    _("Podaj początek i koniec etapu „%(phase)s”.") % {"phase": label},
                )
            elif start is not None and end is not None and end <= start:
                self.add_error(
                    f"{kind}__ends_at",
                    _("Etap „%(phase)s” musi kończyć się po swoim początku.") % {"phase": label},
                )
        return data

    def phases(self) -> dict[str, tuple[Any, Any]]:
        result = {}
        for kind in Phase.values:
            start = self.cleaned_data.get(f"{kind}__starts_at")
            end = self.cleaned_data.get(f"{kind}__ends_at")
            if start is not None and end is not None:
                result[kind] = (start, end)
        return result


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters (GET). Invalid values are reported and ignored, never a 500."""

    SELECTS = ("pool", "category", "status", "sort")

    q = forms.CharField(
        label=_("Szukaj"),
        max_length=200,
        required=False,
        help_text=_("Możesz pisać bez polskich znaków."),
    )
    pool = forms.ChoiceField(label=_("Pula lub dzielnica"), required=False)
    category = forms.ChoiceField(
        label=_("Kategoria"), required=False, choices=[("", _("— wszystkie —")), *Category.choices]
    )
    status = forms.ChoiceField(label=_("Stan"), required=False)
    cost_min = LenientDecimalField(
        label=_("Koszt od (zł)"), required=False, max_abs=Decimal("999999999999")
    )
    cost_max = LenientDecimalField(
        label=_("Koszt do (zł)"), required=False, max_abs=Decimal("999999999999")
    )
    sort = forms.ChoiceField(
        label=_("Kolejność"),
        required=False,
        choices=[
            ("number", _("według numeru")),
            ("title", _("alfabetycznie")),
            ("cost_asc", _("od najtańszego")),
            ("cost_desc", _("od najdroższego")),
            ("supporters", _("według liczby poparć")),
        ],
    )

    def __init__(self, *args: Any, districts: list[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].choices = [  # type: ignore[attr-defined]
            ("", _("— wszystkie —")),
            ("citywide", _("Pula ogólnomiejska")),
            *[(str(d.number), d.full_name) for d in districts],
        ]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("— wszystkie —")),
            *[(value, label) for value, label in ProjectStatus.choices if value in PUBLIC_STATUSES],
            *reversed(LaterStage.choices),
        ]


class SupportForm(forms.Form):
    """The supporter's address and its point: the district is found from the point."""

    address = forms.CharField(
        label=_("Twój adres zamieszkania"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages={"required": _("Podaj swój adres zamieszkania.")},
        help_text=_("Ulica i numer domu. Nie publikujemy go; urząd może go sprawdzić."),
    )
    latitude = LenientDecimalField(
        label=_("Szerokość geograficzna adresu"),
        required=False,
        max_abs=Decimal(90),
        places=6,
        help_text=_("Wskaż adres na mapie albo wpisz współrzędne, np. 50,0614."),
    )
    longitude = LenientDecimalField(
        label=_("Długość geograficzna adresu"),
        required=False,
        max_abs=Decimal(180),
        places=6,
        help_text=_("Np. 19,9366."),
    )

    def __init__(self, *args: Any, identity: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if identity:
            # the city requires a verified identity: the verifying unit checks these two
            self.fields["full_name"] = forms.CharField(
                label=_("Imię i nazwisko"),
                max_length=150,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "name"}),
            )
            self.fields["birth_date"] = forms.DateField(
                label=_("Data urodzenia"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
                help_text=_(
                    "Urząd sprawdzi imię, nazwisko i datę urodzenia w rejestrze mieszkańców; "
                    "poparcie liczy się po sprawdzeniu. Nie publikujemy ich."
                ),
                error_messages={"invalid": _("Podaj prawdziwą datę urodzenia.")},
            )


class SupportCheckForm(forms.Form):
    """The verifying unit's outcome of checking one supporter in the register of residents."""

    decision = forms.ChoiceField(
        label=_("Wynik sprawdzenia"),
        choices=[("confirmed", _("potwierdzone")), ("rejected", _("odrzucone"))],
    )
    note = forms.CharField(
        label=_("Powód odrzucenia"), max_length=300, required=False, widget=forms.TextInput()
    )
