"""The implementation app's domain error and its messages (Polish source, translated at display)."""

from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError, PermissionDeniedError


class ImplementationError(DomainError):
    default_code = "implementation_error"


class ImplementationPermissionError(ImplementationError, PermissionDeniedError):
    """The person may not do this at all (403), as opposed to a broken rule (400)."""

    default_code = "permission_denied"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")
LOGIN_REQUIRED = _("Zaloguj się, aby to zrobić.")
NOT_COORDINATOR = _(
    "Realizację projektów otwierają urzędnicy jednostki koordynującej budżet obywatelski."
)
NOT_RESPONSIBLE = _(
    "Zmiany wprowadzają urzędnicy jednostki realizującej projekt (%(unit)s) "
    "lub jednostki koordynującej budżet obywatelski."
)
UNIT_ONLY_COORDINATOR = _(
    "Jednostkę realizującą zmieniają urzędnicy jednostki koordynującej budżet obywatelski."
)
NO_PROJECTS = _("Wybierz co najmniej jeden projekt.")
PROJECT_OTHER_EDITION = _("Projekt %(number)s nie należy do edycji „%(edition)s”.")
PROJECT_NOT_FOUND = _("Nie ma projektu o identyfikatorze %(id)s.")
PROJECT_NOT_ON_BALLOT = _(
    "Projekt %(number)s nie był na liście do głosowania (stan: %(status)s), więc nie może być "
    "realizowany."
)
FINAL_STATUS = _("Realizacja jest zakończona (%(status)s); nie można jej już zmieniać.")
TRANSITION_NOT_ALLOWED = _("Ze stanu „%(current)s” nie można przejść do stanu „%(target)s”.")
PROGRESS_RANGE = _("Zaawansowanie podaje się w procentach: liczba od 0 do 100 (podano %(value)s).")
COST_INVALID = _("Wpisz koszt jako liczbę, np. 150000 albo 150 000,50 (podano „%(value)s”).")
COST_NEGATIVE = _("Koszt rzeczywisty nie może być ujemny (podano %(value)s zł).")
CANCEL_REASON_REQUIRED = _("Podaj powód odstąpienia od realizacji — zostanie opublikowany.")
MERGED_INTO_REQUIRED = _("Wskaż zadanie, z którym połączono realizację.")
MERGED_INTO_SELF = _("Realizacji nie można połączyć z nią samą.")
MERGED_INTO_FINAL = _(
    "Nie można połączyć realizacji z zadaniem, które zostało anulowane lub połączone."
)
COMPLETED_NEEDS_COST = _("Aby oznaczyć projekt jako zrealizowany, podaj jego koszt rzeczywisty.")
NOTHING_CHANGED = _("Nic nie zmieniono. Zmień dane lub dopisz informację.")
MILESTONE_DESCRIPTION = _("Opisz etap.")
MILESTONE_DATE = _("Podaj planowaną datę etapu.")
MILESTONE_OTHER = _("Ten etap należy do innej realizacji.")
PHOTO_ALT_REQUIRED = _(
    "Opisz, co widać na zdjęciu (tekst alternatywny) — osoby niewidome poznają zdjęcie z tego opisu."
)
PHOTO_EMPTY = _("Plik „%(name)s” jest pusty.")
PHOTO_TOO_BIG = _("Plik „%(name)s” ma %(size)s MB; dopuszczalny rozmiar to %(max)s MB.")
PHOTO_WRONG_TYPE = _(
    "Plik „%(name)s” nie jest zdjęciem w formacie JPEG, PNG ani WebP. Dołącz zdjęcie w jednym z "
    "tych formatów."
)
PHOTO_TOO_LARGE_PIXELS = _(
    "Zdjęcie „%(name)s” ma za dużo pikseli (%(pixels)s mln); najwięcej %(max)s mln."
)
PHOTO_LIMIT = _("Realizacja może mieć najwyżej %(max)d zdjęć.")
ALREADY_FOLLOWING = _("Już obserwujesz realizację tego projektu.")
