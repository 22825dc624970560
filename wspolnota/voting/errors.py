"""The voting app's domain error and its messages (Polish source, translated at display time)."""

from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError, PermissionDeniedError


class VotingError(DomainError):
    default_code = "voting_error"


class VotingPermissionError(VotingError, PermissionDeniedError):
    default_code = "permission_denied"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")
LOGIN_REQUIRED = _("Zaloguj się, aby głosować przez internet.")
NO_VOTING = _("Ta edycja nie ma jeszcze ustalonych zasad głosowania.")
VOTING_CLOSED = _("Głosowanie nie trwa: odbywa się od %(start)s do %(end)s.")
RULES_FIXED = _("Zasady głosowania zostały ustalone przed głosowaniem i nie można ich zmienić.")
RULES_NOT_FIXED = _("Zasady głosowania i liczenia trzeba ustalić przed rozpoczęciem głosowania.")
RULES_TOO_LATE = _("Głosowanie już się rozpoczęło; zasad nie można już ustalić ani zmienić.")
COUNTING_RULE_UNKNOWN = _("Nieznana reguła liczenia lub opcje liczenia: %(detail)s")

# Identity
DISTRICT_REQUIRED = _("Wybierz dzielnicę, w której mieszkasz.")
DISTRICT_FIXED = _(
    "W tej edycji wybrano już dzielnicę zamieszkania (%(district)s); nie można jej zmienić."
)
NAME_REQUIRED = _("Podaj imię i nazwisko.")
PESEL_INVALID = _("Numer PESEL jest nieprawidłowy. Sprawdź cyfry albo podaj datę urodzenia i płeć.")
IDENTITY_REQUIRED = _("Podaj datę urodzenia i płeć (numer PESEL jest nieobowiązkowy).")
PESEL_MISMATCH = _(
    "Data urodzenia lub płeć nie zgadzają się z numerem PESEL. Sprawdź dane albo zostaw PESEL "
    "pusty."
)
ACCOUNT_USED = _(
    "Z tego konta oddano już głos w tej edycji. Jedno konto może oddać jeden głos przez internet; "
    "inna osoba może zagłosować ze swojego konta albo na papierze w punkcie do głosowania."
)
PHONE_LIMIT = _(
    "Ten numer telefonu potwierdził już najwięcej głosów, ile można w tej edycji "
    "(%(count)d). Zagłosuj na papierze w punkcie do głosowania."
)
CODE_REQUIRED = _("Poproś o kod SMS potwierdzający oddanie głosu i wpisz go.")
CODE_WRONG = _("Kod SMS jest nieprawidłowy. Sprawdź go i wpisz ponownie.")
CODE_EXPIRED = _("Kod SMS wygasł albo wpisano go zbyt wiele razy. Poproś o nowy kod.")
CAST_CODE_SMS = _(
    "Wspólnota: kod potwierdzający oddanie głosu w budżecie obywatelskim %(year)s to %(code)s. "
    "Nie podawaj go nikomu."
)
BIRTH_DATE_FUTURE = _("Data urodzenia nie może być w przyszłości.")
TOO_YOUNG = _("W tej edycji głosować mogą osoby, które mają co najmniej %(age)d lat.")
ALREADY_VOTED = _(
    "Ta osoba już głosowała w tej edycji budżetu obywatelskiego. Każdy może oddać jeden głos — "
    "przez internet albo na papierze."
)
PHONE_REQUIRED = _(
    "Aby głosować przez internet, potwierdź numer telefonu komórkowego kodem SMS. Jeśli nie możesz "
    "odebrać SMS-a, zagłosuj na papierze w punkcie do głosowania."
)
IDENTITY_STEP_FIRST = _("Najpierw podaj dzielnicę zamieszkania i dane do spisu głosujących.")
RECEIPT_GONE = _(
    "Kod potwierdzenia widać tylko w przeglądarce, w której oddano głos, przez 15 minut po głosowaniu."
)

# Ballot
PROJECT_NOT_ON_BALLOT = _("Projekt „%(project)s” nie jest na liście do głosowania w tej puli.")
PROJECT_TWICE = _("Projekt „%(project)s” wybrano więcej niż raz.")
RANK_GAP = _("%(pool)s: wypełnij miejsca po kolei, zaczynając od pierwszego (3 punkty).")
TOO_FEW = _("%(pool)s: wybierz dokładnie %(count)d projekty.")
TOO_MANY = _("%(pool)s: można wybrać najwyżej %(count)d projektów.")
EMPTY_BALLOT = _("Wybierz co najmniej jeden projekt.")
POINTS_INVALID = _("%(pool)s: liczba punktów musi być liczbą całkowitą od 0.")
POINTS_TOO_MANY = _("%(pool)s: rozdzielono %(given)d punktów, a można najwyżej %(max)d.")
OVER_BUDGET = _("%(pool)s: wybrane projekty kosztują %(total)s zł, a pula ma %(budget)s zł.")
BALLOT_STEP_FIRST = _("Najpierw wypełnij kartę do głosowania.")

# Paper
NOT_COORDINATOR = _("Karty tego punktu wprowadzają i punkt zamykają jego koordynatorzy.")
NOT_COMMISSION = _(
    "To zadanie komisji: urzędników jednostki koordynującej tę edycję budżetu obywatelskiego."
)
CARD_NOT_PENDING = _("Ta karta nie czeka na dokończenie przez komisję.")
CARD_POINT_OPEN = _(
    "Punkt tej karty jest jeszcze otwarty: drugie wprowadzenie wykonują jego koordynatorzy."
)
RECEIPT_INVALID = _("Kod z odcinka karty ma 12 znaków, np. K7QX-M2HD-9TPA.")
RECEIPT_USED = _(
    "Kod z odcinka %(code)s jest już na karcie %(number)s. Sprawdź kartę: kopia karty jest "
    "nieważna."
)
POINTS_AFTER_CLOSE = _("Po zamknięciu urny nie można dodawać punktów do głosowania.")
CARD_NUMBER_REQUIRED = _("Podaj numer karty.")
CARD_OTHER_POINT = _("Karta %(number)s została już wprowadzona w innym punkcie.")
CARD_DONE = _("Karta %(number)s jest już rozpatrzona.")
CARD_SAME_PERSON = _("Drugie wprowadzenie karty musi wykonać inna osoba niż pierwsze.")
CARD_NOT_MISMATCH = _("Ta karta nie czeka na wyjaśnienie.")
DOCUMENT_REQUIRED = _("Zaznacz, jaki dokument tożsamości sprawdzono.")
POINT_CLOSED = _("Ten punkt został już zamknięty protokołem.")
PAPER_NOT_STARTED = _("Karty papierowe można wprowadzać dopiero od rozpoczęcia głosowania.")
PAPER_AFTER_RESULTS = _("Wyniki zostały już ogłoszone: nie można wprowadzać kolejnych kart.")
PROTOCOL_NUMBERS = _(
    "Liczba kart otrzymanych musi być co najmniej sumą kart wydanych i niewykorzystanych."
)

# Counting and results
NOT_CLOSED = _("Głosowanie jeszcze trwa; liczenie jest możliwe po jego zakończeniu (%(end)s).")
NOT_ENDED = _("Głosowanie jeszcze trwa (do %(end)s); urnę zamyka się po jego zakończeniu.")
BOX_CLOSED = _("Urna jest już zamknięta.")
BOX_NOT_CLOSED = _("Najpierw zamknij urnę: publikuje to zobowiązanie do ziarna losowania remisów.")
POINTS_OPEN = _(
    "Liczyć można dopiero, gdy wszystkie punkty do głosowania są zamknięte; otwarte: %(points)s."
)
CARDS_PENDING = _(
    "Liczyć można dopiero, gdy żadna karta papierowa nie czeka na wprowadzenie ani "
    "rozstrzygnięcie (%(count)d kart)."
)
COUNT_STALE = _(
    "Karty w urnie zmieniły się od ostatniego liczenia (pula %(pool)s). Policz głosy ponownie, "
    "zanim ogłosisz wyniki."
)
CORRECTION_REASON_REQUIRED = _("Podaj powód korekty; zostanie opublikowany razem z nową wersją.")
NOT_PUBLISHED = _("Wyniki nie zostały jeszcze ogłoszone; korekta dotyczy ogłoszonych wyników.")
EXTEND_NOT_OPEN = _("Koniec głosowania można przedłużyć tylko w trakcie głosowania.")
EXTEND_EARLIER = _(
    "Nowy koniec głosowania musi być późniejszy niż obecny (%(end)s): głosowania nie można skrócić."
)
EXTEND_REASON_REQUIRED = _("Podaj powód przedłużenia; zostanie opublikowany.")
WITNESSES_REQUIRED = _("Podaj świadków losowania (imiona i nazwiska).")
NOT_COUNTED = _("Najpierw policz głosy we wszystkich pulach.")
ALREADY_PUBLISHED = _(
    "Wyniki zostały już ogłoszone: nie liczy się ich ponownie. Zmiana jest możliwa tylko przez "
    "korektę, która publikuje nową wersję z powodem."
)
RESULTS_NOT_PUBLIC = _("Wyniki nie zostały jeszcze ogłoszone.")
POOL_HAS_BALLOTS = _("Pula „%(pool)s” ma już karty; nie można zaimportować pliku drugi raz.")
ENVELOPES_UNREADABLE = _(
    "Kopert nie da się otworzyć (zmieniono klucz PESEL_HASH_KEY?). Przywróć klucz z czasu "
    "głosowania; koperty zostają nietknięte."
)

# Setting up the vote (the coordinating unit's pages)
POINT_DISTRICT_LOCKED = _(
    "Głosowanie już się rozpoczęło: dzielnicy punktu nie można zmienić, bo oddane w nim głosy są "
    "do niej przypisane. Nazwę, adres i godziny można poprawiać."
)
POINT_OUTSIDE_DISTRICT = _(
    "Wskazane miejsce na mapie leży poza dzielnicą %(district)s. Sprawdź współrzędne albo dzielnicę."
)
POINT_LOCATION_PAIR = _("Podaj obie współrzędne: szerokość i długość geograficzną.")
POINT_COORDINATOR_UNKNOWN = _("Nie ma konta z adresem %(email)s.")
POINT_DISTRICT_OTHER_CITY = _("Dzielnica punktu musi leżeć w mieście tej edycji.")
COUNTING_OPTIONS_JSON = _(
    'Opcje liczenia zapisz jako obiekt JSON, np. {"ties": "more-top-votes,lot"}, albo zostaw puste.'
)

# Importing .pb files
NO_CITY = _(
    "Nie wczytano jeszcze żadnego miasta. Uruchom najpierw polecenie load_krakow (Kraków) albo "
    "load_city (inne miasto), a potem zaimportuj plik."
)
CITY_NOT_LOADED = _(
    "Plik dotyczy miasta %(city)s, którego nie wczytano. Wczytaj je poleceniem load_city albo "
    "wskaż wczytane miasto opcją --city."
)
IMPORT_EDITION_OTHER_CITY = _(
    "Edycja %(slug)s należy do miasta %(edition_city)s, a plik importujesz do miasta %(city)s."
)
PROJECT_IN_OTHER_POOL = _(
    "Projekt %(project)s jest już w puli „%(other)s” tej edycji; plik przypisuje go do puli "
    "„%(pool)s”. Jego głosy nie zostałyby policzone — sprawdź plik albo zaimportuj go do innej "
    "edycji."
)
