from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class SchoolsError(DomainError):
    default_code = "schools_error"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")
CODE_UNKNOWN = _("Nie ma takiego kodu w tym głosowaniu. Sprawdź, czy dobrze go przepisujesz.")
CODE_USED = _("Ten kod został już użyty. Każdym kodem można zagłosować tylko raz.")
CODE_VOIDED = _("Ten kod jest nieważny: jego arkusz został unieważniony. Poproś o nowy kod.")
CODE_MALFORMED = _("Kod ma 8 znaków: litery i cyfry, na przykład ABCD-2345.")
BOX_NOT_OPEN = _("Głosowanie nie jest teraz otwarte.")
BOX_CLOSED = _("Głosowanie jest zakończone.")
TOO_MANY_ATTEMPTS = _("Za dużo prób. Odczekaj chwilę i spróbuj ponownie.")
SHEET_SIZE = _("Arkusz może mieć od 1 do %(max)s kodów.")
SHEET_ALREADY_VOID = _("Ten arkusz jest już unieważniony.")
GROUP_LABEL = _("Podaj nazwę klasy (do 40 znaków), na przykład 5b.")
REASON_REQUIRED = _("Podaj uzasadnienie.")
SCHOOL_NOT_PENDING = _("O tej szkole już zdecydowano.")
SCHOOL_NOT_CONFIRMED = _("Szkoła musi najpierw zostać potwierdzona przez jednostkę oświaty.")
MEMBER_UNKNOWN = _("Nie ma konta z tym adresem e-mail. Nauczyciel musi najpierw założyć konto.")
MEMBER_EXISTS = _("Ta osoba już jest w zespole szkoły.")
PHASES_ORDER = _(
    "Etapy muszą następować po sobie: pomysły, sprawdzanie, głosowanie, a głosowanie musi się "
    "kończyć po swoim początku."
)
AMOUNT_POSITIVE = _("Kwota musi być większa od zera.")
TEMPLATE_UNKNOWN = _("Nie ma takiego szablonu.")
IDEAS_CLOSED = _("Pomysły można wpisywać tylko w czasie ich zgłaszania.")
CHECKING_CLOSED = _("Pomysły można sprawdzać tylko przed rozpoczęciem głosowania.")
IDEA_COST = _("Koszt musi mieścić się w kwocie budżetu (%(amount)s zł).")
PICKS_NONE = _("Wybierz co najmniej jeden pomysł.")
PICKS_TOO_MANY = _("Możesz wybrać najwyżej %(max)s pomysły.")
PICKS_UNKNOWN = _("Tego pomysłu nie ma na karcie do głosowania.")
PICKS_TWICE = _("Każdy pomysł możesz wybrać tylko raz.")
NO_IDEAS = _("Na karcie do głosowania nie ma jeszcze żadnego pomysłu.")
NOT_ENDED = _("Wyniki można policzyć dopiero po końcu głosowania.")
ALREADY_PUBLISHED = _("Wyniki są już opublikowane i nie są liczone ponownie.")
SETUP_LOCKED = _("Po rozpoczęciu głosowania nie można zmieniać zasad ani etapów.")
