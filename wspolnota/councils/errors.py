from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class CouncilsError(DomainError):
    default_code = "councils_error"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")
TERM_OVERLAPS = _("Kadencje tej samej rady nie mogą na siebie zachodzić.")
TERM_ENDS_BEFORE_START = _("Kadencja musi kończyć się po dniu, w którym się zaczyna.")
SEATS_FULL = _("Wszystkie mandaty (%(seats)s) są obsadzone w tym dniu.")
MEMBER_TOO_YOUNG = _(
    "Członek tej rady musi mieć co najmniej %(age)s lat w dniu rozpoczęcia kadencji."
)
MEMBER_BIRTH_DATE_REQUIRED = _("Podaj datę urodzenia: ta rada ma minimalny wiek członków.")
MEMBER_SCHOOL_REQUIRED = _("Członków Młodzieżowej Rady wybierają szkoły: wskaż wybory w szkole.")
MEMBER_SCHOOL_SEATS = _(
    "Szkoła %(school)s ma w tej kadencji %(seats)s mandat(y); wszystkie są obsadzone."
)
MEMBER_ORGANISATION_REQUIRED = _(
    "Podaj organizację pozarządową, którą reprezentuje członek komisji."
)
MEMBER_OUTSIDE_TERM = _("Mandat musi mieścić się w kadencji (%(start)s – %(end)s).")
MEMBER_ALREADY_ENDED = _("Ten mandat już wygasł.")
MEMBER_END_BEFORE_START = _("Mandat nie może wygasnąć przed dniem jego objęcia.")
SCHOOL_ELECTION_WRONG_BODY = _("Wybory w szkołach dotyczą tylko Młodzieżowej Rady Krakowa.")
SCHOOL_ELECTION_TURNOUT = _("Głosujących nie może być więcej niż uprawnionych.")
RESOLUTION_NOT_DRAFT = _("Zmieniać można tylko projekt uchwały; ta uchwała jest już %(status)s.")
RESOLUTION_NUMBER_REQUIRED = _("Podaj numer uchwały.")
RESOLUTION_DATE_FUTURE = _("Data podjęcia nie może być w przyszłości.")
RESOLUTION_NUMBER_TAKEN = _("Uchwała o numerze %(number)s już istnieje w tej radzie.")
RESOLUTION_TEXT_REQUIRED = _("Uchwała musi mieć treść.")
RESOLUTION_VOTE_NOT_PASSED = _(
    "Głosowanie nad tą uchwałą nie przyniosło jej przyjęcia; nie można jej opublikować."
)
RESOLUTION_NOT_PUBLISHED = _("Uchylić albo unieważnić można tylko opublikowaną uchwałę.")
RESOLUTION_REASON_REQUIRED = _("Podaj podstawę: uchwałę uchylającą albo rozstrzygnięcie nadzorcze.")
RESOLUTIONS_ONLY_COUNCILS = _("Uchwały podejmują rady dzielnic; ciała doradcze wydają opinie.")
VOTE_NOT_HELD = _("Głosowania zapisuje się dla posiedzenia, które się odbyło.")
VOTE_UNKNOWN_MEMBER = _(
    "Na liście głosujących jest osoba, która nie ma mandatu w dniu posiedzenia."
)
VOTE_MISSING_MEMBERS = _("Wpisz głos każdej osoby z mandatem (albo „nieobecny”).")
VOTE_COUNTS_REQUIRED = _("Podaj liczbę głosów za, przeciw i wstrzymujących się.")
VOTE_MORE_THAN_SEATS = _("Głosów jest więcej niż mandatów (%(seats)s).")
PERSON_REQUIRED = _(
    "Wybierz osobę, w imieniu której działasz (nie możesz działać we własnym imieniu)."
)
QUESTION_ALREADY_ANSWERED = _("Na to pytanie już odpowiedziano.")
QUESTION_ANSWER_REQUIRED = _("Wpisz treść odpowiedzi.")
QUESTION_REASON_REQUIRED = _("Podaj powód ukrycia.")
OPINION_ONLY_ADVISORY = _("Opinie wydają ciała doradcze.")
OPINION_ALREADY_ADOPTED = _("Ta opinia została już przyjęta.")
OPINION_POSITION_REQUIRED = _("Wybierz stanowisko.")
OPINION_TEXT_REQUIRED = _("Wpisz treść opinii.")
OPINION_CONSULTATION_NOT_ANNOUNCED = _(
    "Opinię można powiązać tylko z konsultacjami, które zostały ogłoszone."
)
OPINION_CONSULTATION_URL = _(
    "Ten adres nie wskazuje konsultacji ogłoszonych w serwisie: wybierz konsultacje z listy albo "
    "podaj pełny adres https:// konsultacji prowadzonych poza serwisem."
)
DOCUMENT_FILE_OR_URL = _("Dodaj plik albo podaj adres dokumentu.")
DOCUMENT_TYPE = _("Dozwolone są pliki PDF, ODT, DOCX i TXT.")
DOCUMENT_TOO_LARGE = _("Plik jest za duży (najwięcej %(size)s MB).")
MEETING_MINUTES_BEFORE = _("Protokół można opublikować dopiero po posiedzeniu.")
SCHOOL_VOTE_CANDIDATES = _("Podaj co najmniej jednego kandydata (jedno imię i nazwisko w wierszu).")
SCHOOL_VOTE_DUPLICATE = _("Każdy kandydat może być na liście tylko raz.")
SCHOOL_VOTE_SEATS = _("Mandatów nie może być więcej niż kandydatów.")
SCHOOL_VOTE_WINDOW = _("Głosowanie musi kończyć się po tym, jak się zaczyna.")
SCHOOL_VOTE_PICKS = _("Wybierz od 1 do %(seats)s kandydatów.")
SCHOOL_VOTE_CLOSED = _("To głosowanie jest już zamknięte.")
QUESTION_RECEIVED_FUTURE = _("Data wpływu nie może być późniejsza niż dziś.")
QUESTION_RECEIVED_BEFORE_TERM = _(
    "Data wpływu nie może być wcześniejsza niż początek kadencji rady (%(start)s)."
)
