from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from wspolnota.consultations.models import Consultation
from wspolnota.core.onbehalf import Channel
from wspolnota.councils.models import (
    Committee,
    Meeting,
    MeetingStatus,
    MemberRole,
    Membership,
    OpinionPosition,
    QuestionKind,
    ResolutionStatus,
    SchoolElection,
    Term,
    VoteChoice,
    VoteKind,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ResolutionFilterForm(forms.Form):
    q = forms.CharField(label=_("Szukaj (numer, temat, treść)"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Rok"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Stan"),
        required=False,
        choices=[("", _("— wszystkie —")), *ResolutionStatus.choices],
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("— wszystkie lata —"))] + [(y, str(y)) for y in years]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Rodzaj"),
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        initial=QuestionKind.QUESTION,
        help_text=_("Pytanie: prosisz o informację. Wniosek: prosisz radę o działanie."),
    )
    subject = forms.CharField(label=_("Temat"), max_length=200)
    text = forms.CharField(
        label=_("Treść"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    is_public = forms.BooleanField(
        label=_("Można opublikować pytanie i odpowiedź (bez mojego nazwiska)"),
        required=False,
        initial=True,
    )


class QuestionForPersonForm(QuestionForm):
    """A question that came on paper, by phone or at a counter, recorded by a clerk."""

    channel = forms.ChoiceField(
        label=_("Jak pytanie wpłynęło"),
        choices=[
            (c.value, c.label)
            for c in (Channel.POST, Channel.COUNTER, Channel.PHONE, Channel.EMAIL)
        ],
    )
    received_on = forms.DateField(
        label=_("Data wpływu"),
        help_text=_(
            "Dzień, w którym pytanie wpłynęło (data na pieczątce wpływu, rozmowy lub wizyty); "
            "od niego liczy się termin odpowiedzi."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    is_public = forms.BooleanField(
        label=_("Osoba zgadza się na publikację pytania i odpowiedzi (bez nazwiska)"),
        required=False,
        initial=True,
    )

    field_order = ["channel", "received_on", "kind", "subject", "text", "is_public"]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Odpowiedź"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Powód ukrycia"), max_length=300)


class MeetingForm(forms.ModelForm[Meeting]):
    starts_at = forms.DateTimeField(label=_("Początek"), widget=DATETIME_WIDGET)
    recording_url = forms.URLField(label=_("Nagranie obrad"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = [
            "number",
            "title",
            "committee",
            "starts_at",
            "location",
            "agenda",
            "status",
            "is_public",
            "minutes",
            "recording_url",
        ]
        widgets = {
            "agenda": forms.Textarea(attrs={"rows": 6}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "minutes": _(
                "Protokół zostanie opublikowany po zapisaniu, jeśli posiedzenie już się odbyło."
            ),
            "number": _("Np. „XII” dla XII sesji."),
        }

    def __init__(self, *args: Any, committees: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = (
            committees if committees is not None else Committee.objects.none()
        )
        self.fields["committee"].empty_label = _("— posiedzenie całej rady —")
        self.fields["status"].choices = MeetingStatus.choices

    def _post_clean(self) -> None:
        pass


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Tytuł dokumentu"), max_length=200)
    upload = forms.FileField(
        label=_("Plik"),
        required=False,
        help_text=_("PDF, ODT, DOCX lub TXT, najwyżej 20 MB."),
    )
    url = forms.URLField(
        label=_("…albo adres dokumentu (np. w BIP)"), required=False, assume_scheme="https"
    )


class ResolutionDraftForm(forms.Form):
    subject = forms.CharField(label=_("W sprawie"), max_length=300)
    text = forms.CharField(label=_("Treść"), widget=forms.Textarea(attrs={"rows": 10}))
    meeting = forms.ModelChoiceField(
        label=_("Posiedzenie"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, meetings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings
        self.fields["meeting"].empty_label = _("— bez posiedzenia —")


class ResolutionPublishForm(forms.Form):
    number = forms.CharField(
        label=_("Numer uchwały"), max_length=50, help_text=_("Np. „XII/123/2025”.")
    )
    adopted_on = forms.DateField(label=_("Data podjęcia"), widget=DATE_WIDGET)
    meeting = forms.ModelChoiceField(
        label=_("Posiedzenie"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, meetings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings
        self.fields["meeting"].empty_label = _("— bez posiedzenia —")


class ResolutionEndForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Co się stało"),
        choices=[
            (ResolutionStatus.REPEALED, _("uchylona przez radę")),
            (ResolutionStatus.ANNULLED, _("unieważniona przez organ nadzoru")),
        ],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Od dnia"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=_("Podstawa"),
        max_length=1000,
        help_text=_("Np. numer uchwały uchylającej albo rozstrzygnięcia nadzorczego."),
    )


class VoteForm(forms.Form):
    """A vote: counts for open and secret votes, and a choice per member for a roll call."""

    subject = forms.CharField(label=_("Przedmiot głosowania"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Rodzaj głosowania"), choices=VoteKind.choices, widget=forms.RadioSelect
    )
    resolution = forms.ModelChoiceField(
        label=_("Projekt uchwały"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
    )
    votes_for = forms.IntegerField(label=_("Za"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Przeciw"), min_value=0, required=False)
    abstentions = forms.IntegerField(label=_("Wstrzymało się"), min_value=0, required=False)

    def __init__(
        self, *args: Any, members: list[Membership], resolutions: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = resolutions
        self.fields["resolution"].empty_label = _("— głosowanie nie dotyczy uchwały —")
        self.members = members
        for member in members:
            self.fields[f"member_{member.pk}"] = forms.ChoiceField(
                label=member.person_name,
                choices=VoteChoice.choices,
                required=False,
                widget=forms.RadioSelect,
                help_text=_("Tylko w głosowaniu imiennym."),
            )

    def member_fields(self) -> list[forms.BoundField]:
        return [self[f"member_{m.pk}"] for m in self.members]

    def choices(self) -> dict[int, str]:
        return {
            m.pk: self.cleaned_data[f"member_{m.pk}"]
            for m in self.members
            if self.cleaned_data.get(f"member_{m.pk}")
        }


class TermForm(forms.ModelForm[Term]):
    class Meta:
        model = Term
        fields = ["name", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET}

    def _post_clean(self) -> None:
        pass


class MembershipForm(forms.Form):
    person_name = forms.CharField(label=_("Imię i nazwisko"), max_length=150)
    role = forms.ChoiceField(
        label=_("Funkcja"), choices=MemberRole.choices, initial=MemberRole.MEMBER
    )
    starts_on = forms.DateField(
        label=_("Mandat od"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Puste: od początku kadencji."),
    )
    constituency = forms.CharField(label=_("Okręg wyborczy"), max_length=100, required=False)
    school_election = forms.ModelChoiceField(
        label=_("Wybrany(-a) w szkole"), queryset=SchoolElection.objects.none(), required=False
    )
    organisation_name = forms.CharField(
        label=_("Organizacja zgłaszająca"), max_length=200, required=False
    )
    birth_date = forms.DateField(
        label=_("Data urodzenia"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Tylko do sprawdzenia wieku; nie jest publikowana."),
    )
    email = forms.EmailField(
        label=_("E-mail konta w serwisie (nieobowiązkowe)"),
        required=False,
        help_text=_("Przewodniczący i sekretarz z kontem mogą prowadzić stronę rady."),
    )

    def __init__(self, *args: Any, elections: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if elections is not None:
            self.fields["school_election"].queryset = elections
        self.fields["school_election"].empty_label = _("— nie dotyczy —")


class MembershipEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Mandat wygasł dnia"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Powód"), max_length=200)


class SchoolElectionForm(forms.Form):
    school_name = forms.CharField(label=_("Szkoła"), max_length=200)
    held_on = forms.DateField(label=_("Data wyborów"), widget=DATE_WIDGET)
    eligible_voters = forms.IntegerField(label=_("Liczba uprawnionych"), min_value=1)
    votes_cast = forms.IntegerField(label=_("Liczba głosujących"), min_value=0)
    seats = forms.IntegerField(label=_("Liczba mandatów"), min_value=1, initial=1)


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("Nazwa komisji"), max_length=200)
    description = forms.CharField(
        label=_("Zakres działania"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Członkowie"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    chair = forms.ModelChoiceField(
        label=_("Przewodniczący(-a)"), queryset=Membership.objects.none(), required=False
    )

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["members"].queryset = members
            self.fields["chair"].queryset = members
        self.fields["chair"].empty_label = _("— nie wybrano —")


class ConsultationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A consultation shown by its title in the reader's language and its dates."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.shown_title} ({date_format(obj.starts_on)} – {date_format(obj.ends_on)})"


class OpinionForm(forms.Form):
    draft_title = forms.CharField(label=_("Opiniowany projekt"), max_length=300)
    draft_url = forms.URLField(label=_("Adres projektu"), required=False, assume_scheme="https")
    consultation = ConsultationChoiceField(
        label=_("Konsultacje społeczne w serwisie"),
        queryset=Consultation.objects.none(),
        required=False,
        help_text=_("Trwające, zapowiedziane lub zakończone w ostatnich miesiącach."),
    )
    consultation_url = forms.CharField(
        label=_("Konsultacje poza serwisem"),
        max_length=300,
        required=False,
        help_text=_(
            "Tylko dla konsultacji prowadzonych poza serwisem: pełny adres https:// ich strony."
        ),
    )
    requested_by = forms.CharField(label=_("Kto prosi o opinię"), max_length=200, required=False)
    requested_on = forms.DateField(label=_("Data wpływu"), widget=DATE_WIDGET)
    due_on = forms.DateField(label=_("Termin wydania opinii"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args: Any, consultations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if consultations is not None:
            self.fields["consultation"].queryset = consultations
        self.fields["consultation"].empty_label = _("— bez konsultacji w serwisie —")

    def clean_consultation_url(self) -> str:
        value: str = self.cleaned_data.get("consultation_url", "").strip()
        if value and not (value.startswith("/") or value.startswith("https://")):
            raise forms.ValidationError(
                _(
                    "Podaj adres strony w serwisie (zaczynający się od „/”) albo pełny adres https://."
                )
            )
        return value


class OpinionAdoptForm(forms.Form):
    position = forms.ChoiceField(
        label=_("Stanowisko"), choices=OpinionPosition.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Treść opinii"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    adopted_on = forms.DateField(label=_("Data przyjęcia"), widget=DATE_WIDGET)
    meeting = forms.ModelChoiceField(
        label=_("Posiedzenie"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, meetings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings
        self.fields["meeting"].empty_label = _("— bez posiedzenia —")


class SchoolVoteOpenForm(forms.Form):
    school_name = forms.CharField(label=_("Szkoła"), max_length=200)
    candidates = forms.CharField(
        label=_("Kandydaci (jedno imię i nazwisko w wierszu)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=6000,
    )
    seats = forms.IntegerField(label=_("Liczba mandatów"), min_value=1, max_value=40, initial=1)
    opens_at = forms.DateTimeField(label=_("Głosowanie od"), widget=DATETIME_WIDGET)
    closes_at = forms.DateTimeField(label=_("Głosowanie do"), widget=DATETIME_WIDGET)

    def clean_candidates(self) -> list[str]:
        return [line for line in self.cleaned_data["candidates"].splitlines() if line.strip()]


class SchoolVoteSheetForm(forms.Form):
    label = forms.CharField(label=_("Klasa"), max_length=40)
    size = forms.IntegerField(label=_("Liczba kodów"), min_value=1, max_value=60, initial=30)


class SchoolVoteSheetVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód unieważnienia"), max_length=300, help_text=_("Na przykład: arkusz zgubiony.")
    )
    reprint = forms.BooleanField(
        label=_("Od razu wydrukuj nowy arkusz dla tej klasy"), required=False, initial=True
    )


class SchoolVoteBallotForm(forms.Form):
    code = forms.CharField(label=_("Kod z karty"), max_length=20)
    picks = forms.TypedMultipleChoiceField(
        label=_("Kandydaci"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, candidates: list[str], seats: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["picks"].choices = list(enumerate(candidates))
        self.fields["picks"].help_text = _("Wybierz od 1 do %(seats)s.") % {"seats": seats}
