from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class OrganisationsError(DomainError):
    default_code = "organisations_error"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")
NIP_INVALID = _("NIP jest niepoprawny: sprawdź, czy ma 10 cyfr i czy nie ma literówki.")
REGON_INVALID = _("REGON jest niepoprawny: ma 9 albo 14 cyfr i cyfrę kontrolną.")
KRS_INVALID = _("Numer KRS ma 10 cyfr (z zerami na początku), np. 0000123456.")
KRS_REQUIRED = _("Dla tej formy prawnej podaj numer KRS.")
NIP_REQUIRED = _("Podaj NIP organizacji.")
REGON_REQUIRED = _("Podaj REGON organizacji.")
LEGAL_FORM_REQUIRED = _("Wybierz formę prawną organizacji.")
POSTAL_CODE_INVALID = _("Kod pocztowy wpisz w formacie 00-000.")
KRS_TAKEN = _(
    "Zweryfikowana organizacja z tym numerem KRS jest już w rejestrze. Poproś jej przedstawiciela, aby dodał Cię jako członka; jeśli wpis nie należy do właściwych osób, urząd może przekazać go organizacji."
)
NIP_TAKEN = _(
    "Zweryfikowana organizacja z tym NIP jest już w rejestrze. Poproś jej przedstawiciela, aby dodał Cię jako członka; jeśli wpis nie należy do właściwych osób, urząd może przekazać go organizacji."
)
DUPLICATE_OF_VERIFIED = _(
    "Ten wpis powtarza numer KRS lub NIP zweryfikowanej organizacji „%(name)s”; zgłoś się do jej przedstawiciela."
)
MERGE_SAME = _("Wpis nie może zostać połączony sam ze sobą.")
MERGE_TARGET = _("Wpisy łączy się z wpisem zweryfikowanym tego samego rodzaju.")
TRANSFER_USER = _("Nie ma aktywnego konta z tym adresem e-mail.")
BIRTH_DATE_REQUIRED = _("Podaj datę urodzenia.")
BIRTH_DATE_FUTURE = _("Data urodzenia nie może być z przyszłości.")
USER_NOT_FOUND = _("Nie ma konta z tym adresem e-mail. Ta osoba musi najpierw założyć konto.")
ALREADY_MEMBER = _("Ta osoba już działa w imieniu tego wnioskodawcy.")
LAST_REPRESENTATIVE = _("Nie można usunąć ostatniego przedstawiciela. Najpierw dodaj innego.")
FILE_TOO_LARGE = _("Plik jest za duży: największy dozwolony rozmiar to %(limit)s MB.")
FILE_TYPE = _("Dozwolone są pliki PDF, JPG, PNG, ODT, ODS, DOCX i XLSX.")
FILE_CONTENT = _(
    "Zawartość pliku nie zgadza się z jego rozszerzeniem (%(ext)s). Zapisz go ponownie."
)
FILE_EMPTY = _("Plik jest pusty.")
VERIFICATION_STATE = _("Ten wpis nie czeka na weryfikację.")
ALREADY_PENDING = _("Wpis już czeka na weryfikację albo został zweryfikowany.")
REASON_REQUIRED = _("Podaj uzasadnienie, aby wnioskodawca wiedział, co poprawić.")
NGO_NEEDS_REPRESENTATIVE = _(
    "Dodaj co najmniej jedną osobę upoważnioną do reprezentowania organizacji."
)
NGO_NEEDS_REGISTER_DOCUMENT = _("Dołącz statut albo odpis z rejestru.")
GROUP_NEEDS_ADULTS = _(
    "Grupa nieformalna to co najmniej 3 osoby pełnoletnie; teraz pełnoletnich jest %(count)s."
)
GROUP_NEEDS_ONE_LEADER = _("Grupa nieformalna ma dokładnie jednego lidera.")
GROUP_LEADER_ADULT = _("Lider grupy musi być pełnoletni.")
GROUP_MEMBER_BIRTH_DATE = _("Podaj daty urodzenia wszystkich członków grupy.")
INDIVIDUAL_NEEDS_PERSON = _("Uzupełnij dane wnioskodawcy (imię, nazwisko, data urodzenia).")
GUARDIAN_ADULT = _("Opiekun musi być pełnoletni.")
ROLE_NOT_FOR_KIND = _("Ta rola nie pasuje do rodzaju wnioskodawcy.")
SUSPENDED = _("Wpis jest zawieszony; skontaktuj się z urzędem.")
MINOR_NEEDS_GUARDIAN = _("Osoba niepełnoletnia musi wskazać pełnoletniego opiekuna.")
