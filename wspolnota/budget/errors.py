"""The budget app's domain error and its messages (Polish source, translated at display time)."""

from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError, PermissionDeniedError


class BudgetError(DomainError):
    default_code = "budget_error"


class BudgetPermissionError(BudgetError, PermissionDeniedError):
    """The person may not do this at all (shown as 403), as opposed to a broken rule (400)."""

    default_code = "permission_denied"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")
LOGIN_REQUIRED = _("Zaloguj się, aby to zrobić.")
EDITION_NOT_FOUND = _("Nie ma takiej edycji budżetu obywatelskiego.")

# Submission
SUBMISSION_CLOSED = _("Zgłaszanie projektów w tej edycji jest zamknięte.")
SUBMISSION_CLOSED_SINCE = _("Termin zgłaszania projektów minął %(deadline)s.")
POOL_OTHER_EDITION = _("Wybrana pula nie należy do tej edycji.")
TITLE_REQUIRED = _("Podaj tytuł projektu.")
SHORT_TOO_SHORT = _("Krótki opis musi mieć co najmniej %(min)d znaków (teraz: %(length)d).")
SHORT_TOO_LONG = _("Krótki opis może mieć najwyżej %(max)d znaków (teraz: %(length)d).")
DESCRIPTION_REQUIRED = _("Opisz projekt: co powstanie, gdzie i komu posłuży.")
CATEGORY_REQUIRED = _("Wybierz kategorię projektu.")
LOCATION_REQUIRED = _("Podaj adres lub wskaż miejsce na mapie.")
LOCATION_PAIR = _("Podaj obie współrzędne: szerokość i długość geograficzną.")
LOCATION_OUTSIDE_CITY = _("Wskazane miejsce leży poza granicami miasta %(city)s.")
LOCATION_OUTSIDE_DISTRICT = _(
    "Wskazane miejsce leży w dzielnicy %(found)s, a projekt zgłaszasz do puli dzielnicy %(expected)s. "
    "Wskaż miejsce w tej dzielnicy albo wybierz inną pulę."
)
COST_ITEMS_REQUIRED = _("Dodaj co najmniej jedną pozycję kosztorysu.")
COST_ITEM_NAME = _("Pozycja %(position)d kosztorysu: podaj nazwę.")
COST_ITEM_AMOUNT = _("Pozycja %(position)d kosztorysu: kwota musi być większa od zera.")
COST_ABOVE_MAX = _(
    "Łączny koszt %(total)s zł przekracza limit puli „%(pool)s”: najwyżej %(max)s zł na projekt."
)
COST_BELOW_MIN = _("Łączny koszt %(total)s zł jest niższy niż minimum puli „%(pool)s”: %(min)s zł.")
DATA_PROTECTION_REQUIRED = _(
    "Aby zgłosić projekt, zapoznaj się z klauzulą ochrony danych i ją zaakceptuj."
)
GUARDIAN_REQUIRED = _(
    "Osoba niepełnoletnia zgłasza projekt za zgodą opiekuna prawnego: podaj jego imię i nazwisko "
    "i potwierdź zgodę."
)
NOT_A_DRAFT = _("Ten projekt został już zgłoszony.")
EDIT_CLOSED = _("Tego projektu nie można już zmieniać.")
CORRECTION_DEADLINE_PASSED = _("Termin na poprawki minął %(deadline)s.")

# Attachments
ATTACHMENT_TOO_BIG = _("Plik „%(name)s” ma %(size)s MB; dopuszczalny rozmiar to %(max)s MB.")
ATTACHMENT_WRONG_TYPE = _(
    "Plik „%(name)s” nie jest obrazem JPEG lub PNG ani dokumentem PDF. Dołącz plik jednego z tych "
    "rodzajów."
)
ATTACHMENT_EMPTY = _("Plik „%(name)s” jest pusty.")
ATTACHMENT_LIMIT = _("Projekt może mieć najwyżej %(max)d załączników.")

# Supporters
SUPPORT_NOT_OPEN = _("Ten projekt nie zbiera teraz poparcia.")
SUPPORT_DEADLINE_PASSED = _("Termin zbierania poparcia minął %(deadline)s.")
SUPPORT_OWN_PROJECT = _("Autor nie może poprzeć własnego projektu.")
SUPPORT_TWICE = _("Już popierasz ten projekt.")
SUPPORT_WRONG_DISTRICT = _(
    "Projekt dzielnicowy mogą poprzeć mieszkańcy dzielnicy %(district)s. Jeśli tam mieszkasz, "
    "zmień dzielnicę w swoim profilu."
)
SUPPORT_NO_DISTRICT = _(
    "Podaj w profilu swoją dzielnicę zamieszkania, aby poprzeć projekt dzielnicowy."
)
SUPPORT_PHONE_REQUIRED = _(
    "Aby poprzeć projekt przez internet, potwierdź w profilu swój numer telefonu komórkowego "
    "kodem SMS."
)
SUPPORT_IDENTITY_DATA_REQUIRED = _(
    "Podaj imię, nazwisko i datę urodzenia: urząd sprawdzi je w rejestrze mieszkańców, zanim "
    "poparcie zostanie policzone."
)
SUPPORT_BIRTH_DATE_INVALID = _("Podaj prawdziwą datę urodzenia.")
SUPPORT_CHECK_NOT_PENDING = _("To poparcie zostało już sprawdzone.")
SUPPORT_CHECK_NOT_OPEN = _(
    "Poparcia tego projektu nie można już sprawdzać (weryfikacja jest zakończona)."
)
SUPPORT_CHECK_REASON_REQUIRED = _("Podaj powód odrzucenia poparcia.")
SUPPORT_CHECK_SAME_PERSON = _(
    "Ta osoba (to samo imię, nazwisko i data urodzenia) już popiera ten projekt z innego konta; "
    "jej poparcie liczy się raz."
)
SUPPORT_ADDRESS_NOT_FOUND = _(
    "Nie znaleźliśmy tego adresu w ewidencji adresów miasta. Sprawdź ulicę i numer domu albo "
    "wskaż adres na mapie."
)
SUPPORT_ADDRESS_REQUIRED = _("Podaj swój adres zamieszkania i wskaż go na mapie.")
SUPPORT_ADDRESS_OUTSIDE_CITY = _(
    "Wskazany adres leży poza granicami miasta; poprzeć projekt mogą jego mieszkańcy."
)
SUPPORT_ADDRESS_WRONG_DISTRICT = _(
    "Wskazany adres leży w granicach: %(found)s, a ten projekt dzielnicowy mogą poprzeć "
    "mieszkańcy: %(district)s."
)
PAPER_LIST_LATE = _(
    "Lista wpłynęła %(received)s, po terminie zbierania poparcia (%(deadline)s); nie można jej uwzględnić."
)
PAPER_LIST_FUTURE = _("Data wpływu listy nie może być w przyszłości.")
PAPER_LIST_EMPTY = _("Lista musi zawierać co najmniej jeden ważny podpis.")

# Verification
VERIFICATION_NOT_OPEN = _("Weryfikacja projektów w tej edycji jest zakończona.")
VERIFICATION_WRONG_STATUS = _("W obecnym stanie projektu („%(status)s”) nie można tego zrobić.")
VERIFICATION_TOO_EARLY = _(
    "Projekt zbiera poparcie do %(deadline)s i ma go za mało; weryfikację można rozpocząć po tym terminie."
)
REVIEW_EXISTS = _("Ta jednostka ma już przydzieloną ocenę tego etapu.")
REVIEW_DONE = _("Ta ocena jest już zakończona.")
REVIEW_CHECKLIST_INCOMPLETE = _(
    "Wynik pozytywny wymaga zaznaczenia wszystkich punktów listy kontrolnej."
)
REVIEW_REASON_REQUIRED = _("Przy wyniku negatywnym opisz, których wymogów projekt nie spełnia.")
REVIEW_FORMAL_FIRST = _("Najpierw trzeba zakończyć ocenę formalną.")
REVIEW_OFFICIAL_UNIT = _("Wybrana osoba nie jest urzędnikiem tej jednostki.")
DECISION_REASONS_REQUIRED = _("Podaj publiczne uzasadnienie wyniku weryfikacji.")
DECISION_REVIEWS_PENDING = _(
    "Wynik pozytywny wymaga zakończonej pozytywnie oceny formalnej i co najmniej jednej oceny "
    "merytorycznej, bez ocen negatywnych ani oczekujących."
)
DECISION_CORRECTION_OPEN = _("Autor ma jeszcze czas na poprawki (do %(deadline)s).")
CORRECTION_DAYS = _("Termin na poprawki to od 1 do 30 dni.")
CORRECTION_MESSAGE_REQUIRED = _("Napisz autorowi, co i dlaczego trzeba poprawić.")
COST_NOT_POSITIVE = _("Koszt musi być większy od zera.")
COST_REASON_REQUIRED = _("Podaj powód zmiany szacunku kosztu.")

# Merging
MERGE_SAME_PROJECT = _("Nie można połączyć projektu z nim samym.")
MERGE_OTHER_POOL = _("Łączyć można tylko projekty z tej samej puli.")
MERGE_PENDING = _("Propozycja połączenia tych projektów już czeka na odpowiedź autorów.")
MERGE_ANSWERED = _("Na tę propozycję już odpowiedziano.")
MERGE_NOT_AUTHOR = _("Na propozycję połączenia odpowiada autor jednego z łączonych projektów.")

# Appeals
APPEAL_NOT_NEGATIVE = _("Odwołanie przysługuje od negatywnego wyniku weryfikacji.")
APPEAL_DEADLINE_PASSED = _("Termin na odwołanie minął %(deadline)s.")
APPEAL_EXISTS = _("Odwołanie w tej sprawie zostało już złożone.")
APPEAL_JUSTIFICATION_REQUIRED = _("Uzasadnij odwołanie: dlaczego wynik weryfikacji jest błędny?")
APPEAL_NO_RECOMMENDATION = _(
    "Decyzję Prezydenta zapisuje się po rekomendacji Rady Budżetu Obywatelskiego."
)
APPEAL_DECIDED = _("W tej sprawie zapadła już decyzja.")
REASONS_REQUIRED = _("Podaj uzasadnienie.")
CHOICE_REQUIRED = _("Wybierz jedną z możliwości.")

# Final list, withdrawal
FINAL_LIST_TOO_EARLY = _("Listę projektów do głosowania można ogłosić od %(start)s.")
FINAL_LIST_TOO_LATE = _("Głosowanie już się rozpoczęło; listy projektów nie można już ogłosić.")
FINAL_LIST_PUBLISHED = _("Lista projektów do głosowania została już ogłoszona.")
FINAL_LIST_OPEN_CASES = _(
    "Nie można jeszcze ogłosić listy: %(count)d projektów czeka na weryfikację lub rozpatrzenie odwołania."
)
FINAL_LIST_APPEAL_WINDOW = _(
    "Nie można jeszcze ogłosić listy: termin na odwołanie od wyniku projektu %(number)s mija %(deadline)s."
)
WITHDRAW_CLOSED = _("Projekt można było wycofać do %(deadline)s.")
WITHDRAW_STATUS = _("Tego projektu nie można już wycofać.")


class BudgetErrors(BudgetError):
    """Several problems found at once (a form with many fields): each keeps its own field."""

    def __init__(self, problems: list[BudgetError]) -> None:
        first = problems[0]
        super().__init__(first.message, code="invalid", field=first.field, params=first.params)
        self.problems = problems


VOTING_DATES_LOCKED = _(
    "Głosowanie już się rozpoczęło: jego daty się nie zmieniają. Koniec można tylko przedłużyć, "
    "z opublikowanym powodem, na stronie głosowania."
)

# Setting up an edition
SETUP_LOCKED_SUBMISSION = _(
    "Zgłaszanie projektów już się rozpoczęło: ta zasada obowiązuje w ogłoszonym brzmieniu, "
    "bo mieszkańcy już według niej zgłaszają i popierają projekty."
)
SETUP_LOCKED_VOTING = _(
    "Głosowanie już się rozpoczęło: kwot i terminów, na których opiera się głosowanie, nie "
    "można już zmienić."
)
EDITION_YEAR_EXISTS = _("Edycja na rok %(year)d już istnieje w tym mieście.")
EDITION_NO_CITY = _(
    "Nie wczytano jeszcze żadnego miasta. Uruchom najpierw polecenie load_krakow albo load_city."
)
EDITION_COPY_OTHER_CITY = _("Można kopiować tylko edycję tego samego miasta.")
EDITION_NAME_REQUIRED = _("Podaj nazwę edycji.")
EDITION_BUDGET_NEGATIVE = _("Łączna kwota nie może być ujemna.")
EDITION_UNIT_REQUIRED = _("Wybierz jednostkę koordynującą edycję.")
POOL_EXISTS = _("Ta edycja ma już pulę „%(pool)s”.")
POOL_HAS_PROJECTS = _("Do tej puli zgłoszono już projekty; nie można jej usunąć.")
POOL_COST_RANGE = _("Najniższy koszt projektu nie może przekraczać najwyższego.")
POOL_AMOUNT_NEGATIVE = _("Kwoty nie mogą być ujemne.")
POOL_MAX_ABOVE_BUDGET = _("Najwyższy koszt projektu nie może przekraczać kwoty puli.")
SUPPORTERS_RANGE = _("Wymagana liczba poparć to od 0 do 1000.")
CATEGORY_NOT_OFFERED = _("Ta edycja nie przyjmuje projektów w kategorii „%(category)s”.")
