from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.models import CityUnit
from wspolnota.consultations.models import Form, Meeting, Question, Remark, Section, Survey
from wspolnota.core.onbehalf import Channel
from wspolnota.schools.codes import SHEET_MAX
from wspolnota.territory.models import District

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DistrictChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: District) -> str:
        return obj.full_name


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Przedmiot konsultacji"), max_length=200)
    summary = forms.CharField(
        label=_("Krótki opis"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    description = forms.CharField(
        label=_("Opis"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    initiating_unit = forms.ModelChoiceField(
        label=_("Jednostka inicjująca"), queryset=CityUnit.objects.all()
    )
    legal_basis = forms.CharField(
        label=_("Podstawa prawna"),
        max_length=300,
        initial="uchwała nr CXI/2904/18 Rady Miasta Krakowa",
    )
    citywide = forms.BooleanField(label=_("Konsultacje dotyczą całego miasta"), required=False)
    districts = DistrictChoices(
        label=_("Dzielnice (gdy nie całe miasto)"),
        queryset=District.objects.order_by("number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Języki"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    information_from = forms.DateField(label=_("Początek akcji informacyjnej"), widget=DATE)
    starts_on = forms.DateField(
        label=_("Początek konsultacji"),
        widget=DATE,
        help_text=_("Co najmniej 7 dni po początku akcji informacyjnej."),
    )
    ends_on = forms.DateField(
        label=_("Koniec konsultacji"),
        widget=DATE,
        help_text=_("Konsultacje trwają co najmniej 21 dni."),
    )
    title_en = forms.CharField(
        label=_("Przedmiot konsultacji po angielsku"), max_length=200, required=False
    )
    summary_en = forms.CharField(
        label=_("Krótki opis po angielsku"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
    )
    description_en = forms.CharField(
        label=_("Opis po angielsku"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "en"}),
    )
    title_uk = forms.CharField(
        label=_("Przedmiot konsultacji po ukraińsku"), max_length=200, required=False
    )
    summary_uk = forms.CharField(
        label=_("Krótki opis po ukraińsku"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "uk"}),
    )
    description_uk = forms.CharField(
        label=_("Opis po ukraińsku"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "uk"}),
    )

    contact = forms.CharField(label=_("Kontakt"), max_length=300, required=False)
    expert_hours = forms.CharField(
        label=_("Dyżury telefoniczne ekspertów"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Dni, godziny i numer telefonu, np. „wtorki 16–18, 12 616 00 00”."),
    )
    forms = forms.MultipleChoiceField(
        label=_("Formy konsultacji"),
        choices=Form.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Co najmniej trzy, w tym otwarte spotkanie lub warsztaty."),
    )

    def __init__(
        self, *args: Any, announced: bool = False, units: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            # Only the units the person may act for (the service checks it again).
            self.fields["initiating_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["title_en"].widget.attrs["lang"] = "en"
        self.fields["title_uk"].widget.attrs["lang"] = "uk"
        if announced:
            self.fields["change_reason"] = forms.CharField(
                label=_("Uzasadnienie zmiany"),
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_(
                    "Konsultacje są ogłoszone: uzasadnienie (co najmniej 20 znaków) zostanie opublikowane na ich stronie i zapisane w dzienniku zdarzeń. O zmianie terminów lub form powiadomimy uczestników."
                ),
            )

    field_order = [
        "change_reason",
        "title",
        "summary",
        "description",
        "title_en",
        "summary_en",
        "description_en",
        "title_uk",
        "summary_uk",
        "description_uk",
        "initiating_unit",
        "legal_basis",
        "citywide",
        "districts",
        "languages",
        "forms",
        "information_from",
        "starts_on",
        "ends_on",
        "contact",
        "expert_hours",
    ]


class PublishForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Uzasadnienie odstępstwa od zasad (tylko gdy zasady nie są spełnione)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Zostanie opublikowane na stronie konsultacji i zapisane w dzienniku zdarzeń."),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Tytuł dokumentu"), max_length=200)
    text = forms.CharField(
        label=_("Treść"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Oddziel fragmenty pustym wierszem: każdy dostanie numer, do którego można zgłaszać uwagi."
        ),
    )
    link = forms.URLField(
        label=_("Odnośnik do pełnego dokumentu (PDF)"), required=False, assume_scheme="https"
    )


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rodzaj"), choices=Meeting.Kind.choices)
    mode = forms.ChoiceField(label=_("Tryb"), choices=Meeting.Mode.choices)
    title = forms.CharField(label=_("Tytuł"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Początek"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Koniec"), widget=DATETIME)
    place = forms.CharField(label=_("Miejsce lub odnośnik do spotkania online"), max_length=300)
    capacity = forms.IntegerField(label=_("Liczba miejsc"), min_value=1, max_value=10_000)
    accessibility = forms.CharField(
        label=_("Informacje o dostępności"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Np. wejście bez schodów, pętla indukcyjna, tłumacz PJM na życzenie."),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Protokół"), widget=forms.Textarea(attrs={"rows": 10}))


class RegistrationForm(forms.Form):
    needs = forms.CharField(
        label=_("Twoje potrzeby (nieobowiązkowe)"),
        max_length=300,
        required=False,
        help_text=_("Np. tłumacz PJM, miejsce dla wózka, materiały w druku powiększonym."),
    )


class SectionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Section) -> str:
        return f"{obj.document.title}, § {obj.number}"


class RemarkForm(forms.Form):
    section = SectionChoice(
        label=_("Fragment dokumentu"),
        queryset=Section.objects.none(),
        required=False,
        empty_label=_("— cały dokument / ogólna uwaga —"),
    )
    text = forms.CharField(
        label=_("Twoja uwaga"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    latitude = forms.DecimalField(
        label=_("Szerokość geograficzna miejsca (nieobowiązkowe)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        help_text=_("Dla uwagi dotyczącej konkretnego miejsca, np. 50.061400."),
    )
    longitude = forms.DecimalField(
        label=_("Długość geograficzna miejsca (nieobowiązkowe)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        help_text=_("Np. 19.936600."),
    )

    def __init__(self, *args: Any, consultation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if consultation is not None:
            self.fields["section"].queryset = Section.objects.filter(  # type: ignore[attr-defined]
                document__consultation=consultation
            ).select_related("document")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Podaj obie współrzędne albo żadnej."))
        return data


OFFLINE_CHANNELS = [
    (c.value, c.label)
    for c in (
        Remark.Channel.EMAIL,
        Remark.Channel.POST,
        Remark.Channel.EPUAP,
        Remark.Channel.PHONE,
        Remark.Channel.COUNTER,
        Remark.Channel.MEETING,
    )
]


class OfficialRemarkForm(forms.Form):
    channel = forms.ChoiceField(label=_("Kanał"), choices=OFFLINE_CHANNELS)
    author_name = forms.CharField(
        label=_("Autor (osoba lub organizacja)"), max_length=150, required=False
    )
    received_on = forms.DateField(label=_("Data wpływu"), widget=DATE)
    posted_on = forms.DateField(
        label=_("Data stempla pocztowego (list, który wpłynął po zakończeniu konsultacji)"),
        widget=DATE,
        required=False,
    )
    section = SectionChoice(
        label=_("Fragment dokumentu"),
        queryset=Section.objects.none(),
        required=False,
        empty_label=_("— cały dokument / ogólna uwaga —"),
    )
    meeting = forms.ModelChoiceField(
        label=_("Spotkanie (gdy uwagę zgłoszono na spotkaniu)"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("— nie dotyczy —"),
    )
    district = forms.ModelChoiceField(
        label=_("Dzielnica autora"),
        queryset=District.objects.order_by("number"),
        required=False,
        empty_label=_("— nieznana —"),
    )
    text = forms.CharField(
        label=_("Treść uwagi"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, consultation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if consultation is not None:
            self.fields["section"].queryset = Section.objects.filter(  # type: ignore[attr-defined]
                document__consultation=consultation
            ).select_related("document")
            self.fields["meeting"].queryset = consultation.meetings.all()  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Rozstrzygnięcie"),
        choices=[c for c in Remark.Disposition.choices if c[0] != Remark.Disposition.PENDING],
    )
    reason = forms.CharField(label=_("Uzasadnienie"), widget=forms.Textarea(attrs={"rows": 3}))


class DuplicateForm(forms.Form):
    original = forms.IntegerField(label=_("Numer uwagi, której to duplikat"), min_value=1)

    def __init__(self, *args: Any, consultation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consultation = consultation

    def clean_original(self) -> Remark:
        original = Remark.objects.filter(
            pk=self.cleaned_data["original"], consultation=self.consultation
        ).first()
        if original is None:
            raise forms.ValidationError(_("Nie ma takiej uwagi w tych konsultacjach."))
        return original


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Powód"), max_length=300)


class SurveyCreateForm(forms.Form):
    title = forms.CharField(label=_("Tytuł ankiety"), max_length=200)
    intro = forms.CharField(
        label=_("Wstęp"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    verified = forms.BooleanField(
        label=_("Tylko dla zalogowanych (jedna odpowiedź na osobę)"), required=False
    )
    questions = forms.CharField(
        label=_("Pytania, po jednym w wierszu"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "rodzaj | pytanie | opcja; opcja. Rodzaje: single, multiple, scale, ranking, text, matrix (wiersze po „||”). Gwiazdka po rodzaju (np. text*) oznacza pytanie nieobowiązkowe."
        ),
    )


SCALE = [(str(v), str(v)) for v in range(1, 6)]


def survey_response_form(survey: Survey, data: Any = None) -> forms.Form:
    """A form with one field per question (a ranking is one select per place)."""
    form = forms.Form(data)
    for question in survey.questions.all():
        name = f"q{question.pk}"
        label = f"{question.number}. {question.text}"
        options = [(o, o) for o in question.options]
        if question.kind == Question.Kind.SINGLE:
            form.fields[name] = forms.ChoiceField(
                label=label, choices=options, widget=forms.RadioSelect, required=question.required
            )
        elif question.kind == Question.Kind.MULTIPLE:
            form.fields[name] = forms.MultipleChoiceField(
                label=label,
                choices=options,
                widget=forms.CheckboxSelectMultiple,
                required=question.required,
            )
        elif question.kind == Question.Kind.SCALE:
            form.fields[name] = forms.ChoiceField(
                label=label,
                choices=SCALE,
                widget=forms.RadioSelect,
                required=question.required,
                help_text=_("1 – zdecydowanie nie, 5 – zdecydowanie tak"),
            )
        elif question.kind == Question.Kind.TEXT:
            form.fields[name] = forms.CharField(
                label=label,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                required=question.required,
            )
        elif question.kind == Question.Kind.RANKING:
            for place in range(1, len(question.options) + 1):
                form.fields[f"{name}_{place}"] = forms.ChoiceField(
                    label=_("%(question)s — miejsce %(place)s")
                    % {"question": label, "place": place},
                    choices=[("", "—"), *options],
                    required=question.required,
                )
        elif question.kind == Question.Kind.MATRIX:
            for index, row in enumerate(question.rows):
                form.fields[f"{name}_{index}"] = forms.ChoiceField(
                    label=f"{label} — {row}",
                    choices=options,
                    widget=forms.RadioSelect,
                    required=question.required,
                )
    return form


def survey_answers(survey: Survey, cleaned: dict[str, Any]) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for question in survey.questions.all():
        name = f"q{question.pk}"
        if question.kind == Question.Kind.RANKING:
            picked = [cleaned.get(f"{name}_{p}") for p in range(1, len(question.options) + 1)]
            answers[question.pk] = [p for p in picked if p] or None
        elif question.kind == Question.Kind.MATRIX:
            answers[question.pk] = {
                row: cleaned.get(f"{name}_{i}") for i, row in enumerate(question.rows)
            }
        else:
            answers[question.pk] = cleaned.get(name)
    return answers


def survey_code_form(survey: Survey, data: Any = None) -> forms.Form:
    """The pupils' form: the code from the card first, then the survey's questions."""
    form = survey_response_form(survey, data)
    code = forms.CharField(
        label=_("Twój kod z kartki"),
        max_length=20,
        help_text=_("8 znaków, na przykład ABCD-2345. Wielkość liter nie ma znaczenia."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    form.fields = {"code": code, **form.fields}  # type: ignore[assignment]
    return form


class ClassSheetForm(forms.Form):
    label = forms.CharField(
        label=_("Klasa lub szkoła"),
        max_length=40,
        help_text=_("Na przykład: SP 12, klasa 5b."),
    )
    size = forms.IntegerField(
        label=_("Liczba kodów (uczniów w klasie)"), min_value=1, max_value=SHEET_MAX
    )


class ClassSheetVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód unieważnienia"), max_length=300, help_text=_("Na przykład: arkusz zgubiony.")
    )
    reprint = forms.BooleanField(
        label=_("Od razu wydrukuj nowy arkusz dla tej klasy"), required=False, initial=True
    )


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Twoje stwierdzenie"),
        max_length=280,
        help_text=_("Jedna myśl, do 280 znaków. Pokażemy je innym po moderacji."),
    )


class ImportForm(forms.Form):
    comments = forms.FileField(label=_("comments.csv"))
    votes = forms.FileField(label=_("votes.csv"))


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód odwołania"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Zostanie opublikowany; zapisani i uczestnicy konsultacji dostaną powiadomienie."
        ),
    )


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("Wnioski z konsultacji"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Co zmieni się dzięki uwagom mieszkańców; trafi do raportu i do powiadomień."),
    )


# --- A clerk acting for a person (issue 17) ------------------------------------------------------

CLERK_CHANNELS = [
    (c.value, c.label) for c in (Channel.COUNTER, Channel.PHONE, Channel.POST, Channel.EMAIL)
]


def channel_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Jak osoba się zgłosiła"), choices=CLERK_CHANNELS)


def keyed_survey_form(survey: Survey, data: Any = None) -> forms.Form:
    """The survey's questions, as on paper, and the channel the answers came by."""
    form = survey_response_form(survey, data)
    form.fields = {"channel": channel_field(), **form.fields}  # type: ignore[assignment]
    return form


class RegistrationForPersonForm(forms.Form):
    channel = channel_field()
    meeting = forms.ModelChoiceField(
        label=_("Spotkanie lub warsztaty"), queryset=Meeting.objects.none()
    )
    needs = forms.CharField(
        label=_("Potrzeby osoby (nieobowiązkowe)"),
        max_length=300,
        required=False,
        help_text=_("Np. tłumacz PJM, miejsce dla wózka, materiały w druku powiększonym."),
    )

    def __init__(self, *args: Any, meetings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]


class UnregisterForPersonForm(forms.Form):
    """A caller gives up their place at a meeting (only meetings they are registered for)."""

    channel = channel_field()
    meeting = forms.ModelChoiceField(
        label=_("Wypisz ze spotkania"), queryset=Meeting.objects.none()
    )

    def __init__(self, *args: Any, meetings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]


class RemarkForPersonForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Jak uwaga wpłynęła"),
        choices=[
            (c.value, c.label)
            for c in (
                Remark.Channel.POST,
                Remark.Channel.PHONE,
                Remark.Channel.COUNTER,
                Remark.Channel.EMAIL,
            )
        ],
    )
    received_on = forms.DateField(label=_("Data wpływu"), widget=DATE)
    posted_on = forms.DateField(
        label=_("Data stempla pocztowego (list, który wpłynął po zakończeniu konsultacji)"),
        widget=DATE,
        required=False,
    )
    section = SectionChoice(
        label=_("Fragment dokumentu"),
        queryset=Section.objects.none(),
        required=False,
        empty_label=_("— cały dokument / ogólna uwaga —"),
    )
    text = forms.CharField(
        label=_("Treść uwagi"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, consultation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if consultation is not None:
            self.fields["section"].queryset = Section.objects.filter(  # type: ignore[attr-defined]
                document__consultation=consultation
            ).select_related("document")
