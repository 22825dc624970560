"""The monitoring app's domain error and its messages (Polish source, translated at display)."""

from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class MonitoringError(DomainError):
    default_code = "monitoring_error"


NOT_ALLOWED = _("Tylko urzędnicy miasta mogą zarządzać monitoringiem strategii.")
SELF_APPROVAL = _(
    "Pomiar zatwierdza lub odrzuca inna osoba niż ta, która go wprowadziła (zasada dwóch par oczu)."
)
NOT_PENDING = _("Ta partia pomiarów została już rozpatrzona.")
NO_PROVIDER = _(
    "Platforma nie ma jeszcze danych do obliczenia wskaźnika „%(indicator)s”; wprowadź wartość ręcznie lub z pliku CSV."
)
PROVIDER_UNAVAILABLE = _("Źródło danych dla wskaźnika „%(indicator)s” jest niedostępne: %(reason)s")
PROVIDER_NO_DATA = _("Platforma nie ma danych wskaźnika „%(indicator)s” za rok %(year)s.")
YEAR_RANGE = _("Rok musi być z zakresu %(first)s–%(last)s.")
FUTURE_DATE = _("Data stanu nie może być z przyszłości.")
NEGATIVE_VALUE = _("Wartość nie może być ujemna.")
PERCENT_RANGE = _("Odsetek musi mieścić się w przedziale 0–100.")
REASON_REQUIRED = _("Podaj powód odrzucenia.")
CSV_EMPTY = _("Plik nie zawiera żadnego wiersza danych.")
CSV_ENCODING = _("Plik musi być zapisany w kodowaniu UTF-8.")
CSV_HEADER = _(
    "Brakuje kolumn: %(columns)s. Pierwszy wiersz pliku musi zawierać nagłówki: %(expected)s."
)
CSV_LINE = _("Wiersz %(line)s, kolumna „%(column)s”: %(problem)s")
CSV_TOO_LARGE = _("Plik jest za duży (najwyżej %(limit)s wierszy).")
BAD_NUMBER = _("to nie jest liczba („%(value)s”)")
BAD_WHOLE_NUMBER = _("to nie jest liczba całkowita („%(value)s”)")
BAD_DATE = _("to nie jest data w formacie RRRR-MM-DD („%(value)s”)")
BAD_DISTRICT = _("nie ma dzielnicy o numerze „%(value)s”")
BAD_INDICATOR = _("nie ma wskaźnika o kodzie „%(value)s”")
BAD_SEX = _("płeć to K albo M („%(value)s”)")
BAD_ANSWER = _("odpowiedź to 1 (tak) albo 0 (nie) („%(value)s”)")
EMPTY_VALUE = _("pole nie może być puste")
DUPLICATE_ROW = _("ten sam wskaźnik, rok i dzielnica występują w pliku dwa razy")
DUPLICATE_CELL = _("ta sama dzielnica, płeć i grupa wieku występują w pliku dwa razy")
PATH_NOT_FOUND = _("Na platformie nie ma strony pod adresem „%(path)s”.")
LINK_TARGET = _("Podaj adres strony na platformie albo adres zewnętrzny (jedno z dwóch).")
ACTION_ONLY = _("Programy i projekty dodaje się do działań kluczowych i programów.")
NO_POPULATION_TABLE = _(
    "Najpierw zaimportuj tabelę ludności (dzielnica × płeć × wiek), do której zostaną dopasowane wagi."
)
EMPTY_SURVEY = _("Badanie nie ma odpowiedzi.")
MARGIN_MISSING = _("W badaniu są odpowiedzi z grupy „%(group)s”, której nie ma w tabeli ludności.")
NOT_CONVERGED = _(
    "Ważenie nie zbiegło się w %(iterations)s iteracjach; sprawdź, czy tabela ludności pasuje do badania."
)
INDICATOR_NOT_FOUND = _("Nie ma wskaźnika o kodzie „%(code)s”.")
END_BEFORE_START = _("Rok zakończenia nie może być wcześniejszy niż rok rozpoczęcia.")
AGE_ORDER = _("górna granica wieku jest mniejsza niż dolna")
REPORT_NOT_DRAFT = _("Ten raport został już przyjęty; poprawki wymagają nowej wersji.")
REPORT_UNIT_REQUIRED = _("Podaj jednostkę odpowiedzialną za raport.")
REPORT_VERSION_NOTE = _("Nowa wersja raportu musi mówić, co zmieniono względem poprzedniej.")
REPORT_NO_ADOPTED = _("Za ten rok nie przyjęto jeszcze raportu; popraw projekt.")
REPORT_YEAR = _("Raport można przyjąć tylko za rok, który już się zakończył.")
