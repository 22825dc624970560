from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wspolnota.core.forms import FixedRowsFormSet
from wspolnota.grants import limits
from wspolnota.grants.models import (
    ApplicationStatus,
    CommissionRole,
    CostCategory,
    Criterion,
    CriterionGroup,
    FormVariant,
    Programme,
    ReportKind,
    ReturnReason,
    RuleKey,
    RuleSource,
    SignatureKind,
)
from wspolnota.grants.services.calls import PROGRAMME_FIELDS
from wspolnota.organisations.forms import DateInput
from wspolnota.organisations.models import (
    Organisation,
    OrganisationKind,
    PublicBenefitArea,
    VerificationStatus,
)
from wspolnota.territory.models import District


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def money_field(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}),
        **kwargs,
    )


class ProgrammeForm(forms.ModelForm[Programme]):
    class Meta:
        model = Programme
        # the programme fields the service copies and audits (one list for both)
        fields = list(PROGRAMME_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        operator = self.fields["regranting_operator"]
        assert isinstance(operator, forms.ModelChoiceField)
        operator.queryset = Organisation.objects.filter(
            kind=OrganisationKind.NGO, status=VerificationStatus.VERIFIED
        ).order_by("name")
        for name in (
            "min_amount",
            "max_amount",
            "yearly_cap_per_applicant",
            "volunteer_hour_rate_max",
            "min_own_contribution_percent",
            "pass_score",
            "cost_tolerance_percent",
        ):
            self.fields[name].localize = True
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "decimal"})
            self.fields[name].widget.is_localized = True


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Kryterium"), max_length=200)
    group = forms.ChoiceField(label=_("Grupa"), choices=CriterionGroup.choices)
    max_points = forms.DecimalField(
        label=_("Najwięcej punktów"),
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    description = forms.CharField(label=_("Opis"), required=False, max_length=1000)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True, max_num=30)


def criteria_initial(criteria: list[Criterion]) -> list[dict[str, Any]]:
    return [
        {"name": c.name, "group": c.group, "max_points": c.max_points, "description": c.description}
        for c in criteria
    ]


class CallForm(forms.Form):
    title = forms.CharField(label=_("Tytuł naboru"), max_length=200)
    description = forms.CharField(
        label=_("Opis i zasady"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    year = forms.IntegerField(label=_("Rok budżetowy"), min_value=2000, max_value=2100)
    pool_amount = money_field(_("Pula środków (zł)"))
    opens_at = forms.DateTimeField(label=_("Początek naboru"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(
        label=_("Termin składania wniosków"),
        widget=DateTimeInput(),
        required=False,
        help_text=_("Puste przy naborze ciągłym (do wyczerpania środków)."),
    )


class AmendmentForm(forms.Form):
    """An announced change of a published call: the rules applicants most often rely on, the
    deadline, the pool and the description, with the reason everyone will read."""

    RULES = (
        "min_amount",
        "max_amount",
        "max_duration_days",
        "pass_score",
        "min_own_contribution_percent",
        "yearly_cap_per_applicant",
        "min_lead_days",
    )

    reason = forms.CharField(
        label=_("Powód zmiany"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Zobaczą go wszyscy: wnioskodawcy dostaną powiadomienie."),
    )
    description = forms.CharField(
        label=_("Opis i zasady"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    closes_at = forms.DateTimeField(
        label=_("Termin składania wniosków"), widget=DateTimeInput(), required=False
    )
    pool_amount = money_field(_("Pula środków (zł)"))
    min_amount = money_field(_("Najmniejsza kwota wsparcia (zł)"), required=False)
    max_amount = money_field(_("Największa kwota wsparcia (zł)"), required=False)
    max_duration_days = forms.IntegerField(
        label=_("Najdłuższy czas realizacji (dni)"), min_value=1, max_value=3650, required=False
    )
    pass_score = forms.DecimalField(
        label=_("Próg punktowy"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        localize=True,
        required=False,
    )
    min_own_contribution_percent = forms.DecimalField(
        label=_("Najmniejszy wkład własny (% kosztów)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        localize=True,
        required=False,
    )
    yearly_cap_per_applicant = money_field(
        _("Limit roczny na jednego wnioskodawcę (zł, zasady miasta)"), required=False
    )
    min_lead_days = forms.IntegerField(
        label=_("Złożenie co najmniej tyle dni przed rozpoczęciem (zasady miasta)"),
        min_value=0,
        max_value=365,
        required=False,
    )


class CommissionForm(forms.Form):
    email = forms.EmailField(label=_("Adres e-mail konta"))
    role = forms.ChoiceField(
        label=_("Funkcja"),
        choices=CommissionRole.choices,
        initial=CommissionRole.MEMBER,
        widget=forms.RadioSelect,
    )


class OrganisationChoiceField(forms.ModelChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class StartApplicationForm(forms.Form):
    applicant = OrganisationChoiceField(
        label=_("W czyim imieniu składasz wniosek"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Tytuł zadania"), max_length=250)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = organisations


class DistrictChoiceField(forms.ModelChoiceField[District]):
    def label_from_instance(self, obj: District) -> str:
        return obj.full_name


class ApplicationForm(forms.Form):
    title = forms.CharField(label=_("Tytuł zadania"), max_length=250)
    summary = forms.CharField(
        label=_("Krótki opis"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Najwyżej 600 znaków; pokażemy go w wynikach."),
    )
    description = forms.CharField(
        label=_("Cel i opis zadania"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Jaką potrzebę zaspokaja zadanie, co dokładnie zrobicie i dla kogo."),
    )
    target_group = forms.CharField(
        label=_("Do kogo jest skierowane"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    district = DistrictChoiceField(
        label=_("Dzielnica realizacji"),
        queryset=District.objects.select_related("city").order_by("number"),
        required=False,
        empty_label=_("— całe miasto lub kilka dzielnic —"),
    )
    location = forms.CharField(label=_("Miejsce realizacji"), max_length=300, required=False)
    start_date = forms.DateField(label=_("Data rozpoczęcia"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("Data zakończenia"), required=False, widget=DateInput())
    residents_contribution = forms.CharField(
        label=_("Wkład mieszkańców"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Co wniosą mieszkańcy: praca społeczna, rzeczy, pieniądze."),
    )
    experience = forms.CharField(
        label=_("Doświadczenie i zasoby wnioskodawcy"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The statutory offer (Dz.U. 2018 poz. 2057): parts I–VII.
    public_task_sphere = forms.ChoiceField(
        label=_("Rodzaj zadania publicznego"),
        choices=[("", "—"), *PublicBenefitArea.choices],
        required=False,
        help_text=_("Sfera zadań publicznych z art. 4 ustawy, do której należy zadanie."),
    )
    contact_name = forms.CharField(label=_("Osoba do kontaktu"), max_length=150, required=False)
    contact_phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    social_change = forms.CharField(
        label=_("Jaka zmiana społeczna zostanie osiągnięta"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    durability = forms.CharField(
        label=_("Czy rezultaty będą trwałe i jak"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    resources = forms.CharField(
        label=_("Zasoby kadrowe, rzeczowe i finansowe"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    other_information = forms.CharField(
        label=_("Inne informacje"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Np. działania partnerów, którzy nie są stroną umowy."),
    )

    OFFER_FIELDS = (
        "public_task_sphere",
        "contact_name",
        "contact_phone",
        "contact_email",
        "social_change",
        "durability",
        "resources",
        "other_information",
    )

    def __init__(self, *args: Any, variant: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if variant != FormVariant.LOCAL_INITIATIVE:
            del self.fields["residents_contribution"]
        if variant != FormVariant.FULL:
            del self.fields["experience"]
            del self.fields["social_change"]
            del self.fields["durability"]
        if variant not in (FormVariant.FULL, FormVariant.SIMPLIFIED):
            for name in self.OFFER_FIELDS:
                self.fields.pop(name, None)


class DeclarationsForm(forms.Form):
    """Part VII of the statutory offer: the offeror's statements."""

    within_statutory_activity = forms.BooleanField(
        label=_(
            "Zadanie będzie realizowane wyłącznie w zakresie działalności pożytku publicznego oferenta (oferentów)."
        ),
        required=False,
    )
    fees_only_paid_activity = forms.BooleanField(
        label=_(
            "Świadczenia pieniężne od odbiorców zadania będą pobierane wyłącznie w ramach odpłatnej działalności pożytku publicznego."
        ),
        required=False,
    )
    no_tax_arrears = forms.TypedChoiceField(
        label=_("Zaległości w podatkach"),
        choices=[
            ("", "—"),
            ("yes", _("oferent nie zalega z podatkami")),
            ("no", _("oferent zalega z podatkami")),
        ],
        required=False,
    )
    no_social_security_arrears = forms.TypedChoiceField(
        label=_("Zaległości w składkach na ubezpieczenia społeczne"),
        choices=[
            ("", "—"),
            ("yes", _("oferent nie zalega ze składkami")),
            ("no", _("oferent zalega ze składkami")),
        ],
        required=False,
    )
    registry_data_true = forms.BooleanField(
        label=_(
            "Dane w części II oferty są zgodne z Krajowym Rejestrem Sądowym lub inną ewidencją."
        ),
        required=False,
    )
    information_true = forms.BooleanField(
        label=_(
            "Wszystkie informacje w ofercie i załącznikach są zgodne ze stanem prawnym i faktycznym."
        ),
        required=False,
    )
    gdpr_obligations = forms.BooleanField(
        label=_(
            "Oferent dopełnił obowiązków informacyjnych RODO wobec osób, których dane podaje w ofercie."
        ),
        required=False,
    )


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategoria"), choices=CostCategory.choices)
    description = forms.CharField(label=_("Rodzaj kosztu"), max_length=300)
    unit = forms.CharField(
        label=_("Jednostka"), max_length=30, widget=forms.TextInput(attrs={"size": 6})
    )
    quantity = forms.DecimalField(
        label=_("Liczba"),
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    unit_cost = money_field(_("Koszt jednostkowy"))
    grant_amount = money_field(_("Ze wsparcia"), required=False)
    own_amount = money_field(_("Wkład finansowy"), required=False)
    in_kind_amount = money_field(_("Wkład rzeczowy"), required=False)
    volunteer_amount = money_field(_("Wolontariat"), required=False)
    fees_amount = money_field(_("Opłaty uczestników"), required=False)
    other_public_amount = money_field(_("Inne środki publiczne"), required=False)
    action_position = forms.IntegerField(
        label=_("Działanie nr"),
        min_value=1,
        max_value=200,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
    )
    partner_position = forms.IntegerField(
        label=_("Oferent nr"),
        min_value=1,
        max_value=50,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
    )


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organizacja z rejestru"),
        queryset=Organisation.objects.none(),
        help_text=_("Oferent wspólny musi mieć zweryfikowany wpis organizacji pozarządowej."),
    )
    actions = forms.CharField(
        label=_("Działania, które wykona"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, exclude_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Organisation.objects.filter(kind="ngo", status="verified")
            .exclude(pk=exclude_id)
            .order_by("name")
        )


BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=3, can_delete=True, max_num=200)


class BudgetCsvForm(forms.Form):
    file = forms.FileField(
        label=_("Plik CSV z kosztorysem"),
        help_text=_(
            "UTF-8, średniki; pierwszy wiersz to nagłówki: kategoria; rodzaj kosztu; jednostka; liczba; koszt jednostkowy; dotacja; wkład własny; wkład rzeczowy; wolontariat."
        ),
    )


class ScheduleItemForm(forms.Form):
    action = forms.CharField(label=_("Działanie"), max_length=300)
    start_date = forms.DateField(label=_("Od"), widget=DateInput())
    end_date = forms.DateField(label=_("Do"), widget=DateInput())
    responsible = forms.CharField(label=_("Kto odpowiada"), max_length=200, required=False)


ScheduleFormSet = forms.formset_factory(ScheduleItemForm, extra=3, can_delete=True, max_num=100)


class ResultForm(forms.Form):
    description = forms.CharField(label=_("Rezultat"), max_length=300)
    target = forms.CharField(label=_("Planowany poziom"), max_length=100)
    verification = forms.CharField(label=_("Sposób sprawdzenia"), max_length=300, required=False)


ResultFormSet = forms.formset_factory(ResultForm, extra=2, can_delete=True, max_num=50)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Tytuł"), max_length=200, required=False)
    file = forms.FileField(
        label=_("Plik"), help_text=_("PDF, JPG, PNG, ODT, ODS, DOCX lub XLSX, najwyżej 10 MB.")
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Powód (nieobowiązkowy)"), required=False, max_length=1000)


class FormalCheckForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Wynik oceny formalnej"),
        choices=[
            ("pass", _("spełnia wymogi formalne")),
            ("corrections", _("wezwać do uzupełnienia braków (wniosek wraca do wnioskodawcy)")),
            ("fail", _("odrzucić z przyczyn formalnych")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Uwagi"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class RemarkForm(forms.Form):
    author_name = forms.CharField(
        label=_("Podpis"),
        max_length=150,
        required=False,
        help_text=_(
            "Imię i nazwisko lub nazwa organizacji. Zalogowanym wystarczy zostawić puste — użyjemy danych z konta."
        ),
    )
    author_email = forms.EmailField(
        label=_("E-mail do odpowiedzi"),
        required=False,
        help_text=_("Nieobowiązkowy; nie publikujemy go."),
    )
    text = forms.CharField(
        label=_("Uwaga"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Oświadczenie"),
        choices=[
            ("no", _("Nie zachodzi konflikt interesów: nie jestem związany(-a) z wnioskodawcą.")),
            ("yes", _("Zachodzi konflikt interesów: wyłączam się z oceny tego wniosku.")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label=_("Wyjaśnienie (przy konflikcie)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class AssessmentForm(forms.Form):
    comment = forms.CharField(
        label=_("Uzasadnienie oceny"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        fields: dict[str, forms.Field] = {}
        for criterion in criteria:
            fields[f"points_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name,
                required=False,
                min_value=Decimal(0),
                max_value=criterion.max_points,
                max_digits=6,
                decimal_places=2,
                localize=True,
                help_text=_("od 0 do %(max)s pkt") % {"max": limits.num(criterion.max_points)},
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
            )
            fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Komentarz: %(criterion)s") % {"criterion": criterion.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields = {**fields, **self.fields}

    def points(self) -> dict[int, Decimal | None]:
        return {c.pk: self.cleaned_data.get(f"points_{c.pk}") for c in self.criteria}

    def comments(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}", "") for c in self.criteria}


class AwardForm(forms.Form):
    amount = money_field(_("Przyznana kwota (zł)"))
    justification = forms.CharField(
        label=_("Uzasadnienie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wymagane, gdy przyznajesz mniej, niż wnioskowano."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Uzasadnienie odmowy"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000
    )


class AgreementForm(forms.Form):
    start_date = forms.DateField(label=_("Realizacja od"), widget=DateInput())
    end_date = forms.DateField(label=_("Realizacja do"), widget=DateInput())
    report_due_date = forms.DateField(label=_("Termin sprawozdania końcowego"), widget=DateInput())
    city_signatory = forms.CharField(label=_("W imieniu miasta podpisuje"), max_length=200)
    applicant_signatories = forms.CharField(
        label=_("W imieniu wnioskodawcy podpisują"), max_length=300
    )
    bank_account = forms.CharField(
        label=_("Numer rachunku bankowego"),
        max_length=40,
        required=False,
        help_text=_("26 cyfr; nie dotyczy wsparcia rzeczowego."),
    )
    guardian_consent = forms.BooleanField(
        label=_("Opiekun prawny wyraził zgodę na umowę"),
        required=False,
        help_text=_("Tylko gdy wnioskodawca jest niepełnoletni."),
    )


class TrancheForm(forms.Form):
    amount = money_field(_("Kwota (zł)"))
    due_date = forms.DateField(label=_("Termin przekazania"), widget=DateInput())


TrancheFormSet = forms.formset_factory(TrancheForm, extra=2, can_delete=True, max_num=12)


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Data podpisania"), widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Sposób podpisania"),
        choices=SignatureKind.choices,
        initial=SignatureKind.PAPER,
        widget=forms.RadioSelect,
        required=False,
    )
    received_on = forms.DateField(
        label=_("Data wpływu podpisanej umowy"),
        widget=DateInput(),
        required=False,
        help_text=_("Przy podpisie na papierze; puste — data podpisania."),
    )
    file = forms.FileField(
        label=_("Plik z podpisem elektronicznym"),
        required=False,
        help_text=_(
            "PDF z podpisem (PAdES) albo plik XAdES z podpisu kwalifikowanego lub zaufanego."
        ),
    )


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Data przelewu"), widget=DateInput())


class ReportStartForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rodzaj sprawozdania"), choices=ReportKind.choices)
    period_from = forms.DateField(label=_("Okres od"), widget=DateInput())
    period_to = forms.DateField(label=_("Okres do"), widget=DateInput())


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decyzja"),
        choices=[("accept", _("przyjąć sprawozdanie")), ("return", _("zwrócić do poprawy"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Uwagi"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("— wszystkie —")), *ApplicationStatus.choices],
    )


class ReportLineForm(forms.Form):
    actual_grant = money_field(_("Wydano ze wsparcia"), required=False)
    actual_own = money_field(_("Wkład finansowy"), required=False)
    actual_in_kind = money_field(_("Wkład rzeczowy"), required=False)
    actual_volunteer = money_field(_("Wolontariat"), required=False)
    explanation = forms.CharField(label=_("Wyjaśnienie różnicy"), max_length=500, required=False)


class ReportResultForm(forms.Form):
    achieved = forms.CharField(label=_("Osiągnięty poziom"), max_length=100, required=False)


class ReportNarrativeForm(forms.Form):
    narrative = forms.CharField(
        label=_("Opis wykonania zadania"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Co zrobiliście, kto skorzystał, co się zmieniło w planie i dlaczego."),
    )


class YearPlanForm(forms.Form):
    year = forms.IntegerField(label=_("Rok budżetowy"), min_value=2000, max_value=2100)
    planned_ngo_grants = money_field(
        _("Dotacje planowane na zadania publiczne organizacji pozarządowych (zł)")
    )
    basis = forms.CharField(
        label=_("Źródło kwoty"),
        max_length=300,
        help_text=_("Np. numer uchwały budżetowej i jej załącznika."),
    )


class LegalRuleForm(forms.Form):
    key = forms.ChoiceField(label=_("Zasada"), choices=RuleKey.choices)
    value = forms.DecimalField(
        label=_("Wartość"), min_value=Decimal(0), max_digits=12, decimal_places=2, localize=True
    )
    source = forms.ChoiceField(
        label=_("Źródło"), choices=RuleSource.choices, widget=forms.RadioSelect
    )
    legal_basis = forms.CharField(
        label=_("Podstawa"), max_length=300, help_text=_("Np. artykuł i Dziennik Ustaw.")
    )
    effective_from = forms.DateField(label=_("Obowiązuje od"), widget=DateInput())


class ResignForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód rezygnacji"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000
    )


class UpdatedLineForm(forms.Form):
    """One budget line with its new sources (after partial funding or by an annex)."""

    position = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    grant = money_field(_("Ze wsparcia (zł)"))
    own = money_field(_("Wkład własny finansowy (zł)"), required=False)
    in_kind = money_field(_("Wkład rzeczowy (zł)"), required=False)
    volunteer = money_field(_("Praca wolontariuszy (zł)"), required=False)


UpdatedBudgetFormSet = forms.formset_factory(
    UpdatedLineForm, formset=FixedRowsFormSet, extra=0, max_num=200
)


class AnnexForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód aneksu"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000
    )
    signed_on = forms.DateField(label=_("Data podpisania aneksu"), widget=DateInput())
    end_date = forms.DateField(label=_("Realizacja do"), widget=DateInput())
    report_due_date = forms.DateField(label=_("Termin sprawozdania końcowego"), widget=DateInput())
    amount = money_field(_("Kwota wsparcia (zł)"))


class AnnexScheduleForm(forms.Form):
    """One action of the schedule in force after an annex (dates within the agreement)."""

    action = forms.CharField(label=_("Działanie"), max_length=300)
    start_date = forms.DateField(label=_("Od"), widget=DateInput())
    end_date = forms.DateField(label=_("Do"), widget=DateInput())


class AnnexResultForm(forms.Form):
    """One expected result in force after an annex."""

    description = forms.CharField(label=_("Rezultat"), max_length=300)
    target = forms.CharField(label=_("Planowany poziom"), max_length=100)


AnnexScheduleFormSet = forms.formset_factory(
    AnnexScheduleForm, extra=1, can_delete=True, max_num=100, validate_max=True
)
AnnexResultFormSet = forms.formset_factory(
    AnnexResultForm, extra=1, can_delete=True, max_num=50, validate_max=True
)


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód rozwiązania"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000
    )
    terminated_on = forms.DateField(label=_("Data rozwiązania"), widget=DateInput())
    return_amount = money_field(_("Kwota do zwrotu (zł)"), required=False)


class ReturnRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("Podstawa zwrotu"), choices=ReturnReason.choices)
    amount = money_field(_("Kwota do zwrotu (zł)"))
    due_date = forms.DateField(label=_("Termin zwrotu"), widget=DateInput())
    note = forms.CharField(
        label=_("Uzasadnienie"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReturnRecordForm(forms.Form):
    returned_on = forms.DateField(label=_("Data wpływu"), widget=DateInput())
    amount = money_field(_("Zwrócona kwota (zł)"))


# --- keying in from paper (issue 17) -------------------------------------------------------------


def _clerk_channels() -> list[tuple[str, Any]]:
    from wspolnota.core.onbehalf import CLERK_CHANNELS, Channel

    return [(c.value, c.label) for c in Channel if c in CLERK_CHANNELS]


class KeyInApplicationForm(forms.Form):
    """A paper application keyed in by a clerk: for which applicant the person signed it, how
    and when it reached the office (the receipt stamp), and the task's title; the rest is keyed
    on the draft's usual pages."""

    applicant = OrganisationChoiceField(
        label=_("Wnioskodawca, którego osoba reprezentuje"),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    channel = forms.ChoiceField(label=_("Wniosek wpłynął"), choices=_clerk_channels, initial="post")
    received_at = forms.DateTimeField(
        label=_("Data i godzina wpływu"),
        widget=DateTimeInput(),
        help_text=_("Z pieczęci wpływu. Termin naboru sprawdza się względem tej chwili."),
    )
    title = forms.CharField(label=_("Tytuł zadania"), max_length=250)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = organisations


class KeyInRemarkForm(forms.Form):
    """A remark on a small-grant offer that came by post or was phoned in."""

    channel = forms.ChoiceField(label=_("Uwaga wpłynęła"), choices=_clerk_channels, initial="post")
    received_at = forms.DateTimeField(
        label=_("Data i godzina wpływu"),
        widget=DateTimeInput(),
        help_text=_("Okres uwag sprawdza się względem tej chwili."),
    )
    text = forms.CharField(label=_("Treść uwagi"), max_length=5000, widget=forms.Textarea)
