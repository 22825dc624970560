from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class CommunityError(DomainError):
    default_code = "community_error"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")

# Places and the open-data import
IMPORT_NOT_TABLE = _(
    "Nie udało się odczytać pliku: wczytaj arkusz XLSX albo plik CSV (wartości rozdzielone "
    "średnikami lub przecinkami)."
)
IMPORT_OLD_XLS = _(
    "To plik w starym formacie XLS. Zapisz go w programie arkusza jako XLSX albo CSV i wczytaj "
    "ponownie."
)
IMPORT_ROW_UNREADABLE = _("Nie udało się odczytać wiersza %(line)s pliku CSV: %(error)s")
IMPORT_NO_HEADER = _(
    "Nie znaleźliśmy wiersza nagłówków: jedna z kolumn w pierwszych wierszach pliku musi się "
    "nazywać „nazwa” (nazwy kolumn opisuje instrukcja importu)."
)
IMPORT_NO_ADDRESS_COLUMN = _("W pliku brakuje kolumny z adresem: „ulica” i „numer” albo „adres”.")
IMPORT_TOO_MANY_ROWS = _("Plik ma więcej niż %(limit)s wierszy z danymi.")
IMPORT_ROW_PROBLEM = _("Wiersz %(line)s: %(reason)s")
IMPORT_ROW_NOT_YOURS = _("tę placówkę prowadzi inna jednostka: import nie może jej zmienić")
IMPORT_FILE_TOO_LARGE = _("Plik jest za duży (największy dopuszczalny rozmiar to %(size)s MB).")
IMPORT_NOT_UTF8 = _("Plik musi być zapisany w kodowaniu UTF-8.")
HOURS_UNREADABLE = _(
    "Nie rozumiemy godzin otwarcia „%(value)s”. Wpisz je np. tak: „pn.–pt. 9:00–17:00; sob. 10:00–14:00”."
)
SLUG_TAKEN = _("Ten adres strony jest już zajęty przez inne miejsce.")
LOCATION_HALF = _("Podaj obie współrzędne albo żadnej.")
ADDRESS_NOT_FOUND = _(
    "Nie znaleźliśmy tego adresu w miejskim rejestrze punktów adresowych. "
    "Sprawdź ulicę i numer albo wybierz dzielnicę (wtedy bez odległości)."
)

# Rooms
ROOM_NOT_BOOKABLE = _("Tej sali nie można teraz rezerwować.")
ROOM_PLACE_CLOSED = _("Miejsce, w którym jest ta sala, jest w tym dniu zamknięte.")
BOOKING_IN_PAST = _("Nie można rezerwować terminu, który już minął.")
BOOKING_ENDS_BEFORE_START = _("Koniec rezerwacji musi być później niż jej początek.")
BOOKING_TOO_LONG = _("Jedna rezerwacja może trwać najwyżej %(hours)s godzin.")
BOOKING_TOO_MANY_PEOPLE = _("Sala mieści najwyżej %(capacity)s osób.")
BOOKING_TAKEN = _(
    "Ten termin jest już zajęty albo czeka na decyzję w sprawie innego wniosku. Wybierz inny termin."
)
BOOKING_NAME_REQUIRED = _("Podaj nazwę organizacji lub grupy.")
BOOKING_NOT_PENDING = _("O tym wniosku już zdecydowano.")
BOOKING_REASON_REQUIRED = _("Podaj powód odmowy — wnioskodawca go zobaczy.")
BOOKING_CANNOT_CANCEL = _("Tej rezerwacji nie można już anulować.")

# Events
EVENT_ENDS_BEFORE_START = _("Koniec wydarzenia musi być później niż jego początek.")
EVENT_PLACE_OR_LOCATION = _("Wybierz miejsce z listy albo wpisz adres wydarzenia.")
EVENT_NOT_OPEN = _("Na to wydarzenie nie można się teraz zapisać.")
EVENT_NO_REGISTRATION = _("Na to wydarzenie wstęp jest wolny, bez zapisów.")
EVENT_ALREADY_REGISTERED = _("Jesteś już zapisany(-a) na to wydarzenie.")
EVENT_NOT_REGISTERED = _("Nie jesteś zapisany(-a) na to wydarzenie.")
EVENT_CAPACITY_BELOW_CONFIRMED = _(
    "Na wydarzenie zapisało się już %(count)s osób; liczba miejsc nie może być mniejsza."
)
EVENT_ALREADY_CANCELLED = _("To wydarzenie zostało już odwołane.")

# Volunteering
OFFER_ENDS_BEFORE_START = _("Data końca musi być taka sama jak data początku albo późniejsza.")
OFFER_NOT_OPEN = _("Nabór do tej oferty jest zamknięty.")
OFFER_OWN = _("Nie możesz zgłosić się do własnej oferty.")
PROFILE_REQUIRED = _(
    "Najpierw uzupełnij profil wolontariusza (data urodzenia, umiejętności, czas)."
)
TOO_YOUNG = _("W tej ofercie wolontariusz musi mieć co najmniej %(age)s lat.")
BIRTH_DATE_FUTURE = _("Data urodzenia nie może być w przyszłości.")
ALREADY_APPLIED = _("Już zgłosiłeś(-aś) się do tej oferty.")
APPLICATION_NOT_PENDING = _("O tym zgłoszeniu już zdecydowano.")
APPLICATION_NOT_ACCEPTED = _("Godziny można wpisywać dopiero po przyjęciu zgłoszenia.")
AGREEMENT_NOT_SIGNED = _(
    "Ten wolontariat trwa ponad 30 dni: godziny można wpisywać po podpisaniu porozumienia w "
    "formie pisemnej (na papierze albo podpisem kwalifikowanym lub zaufanym), co zapisuje "
    "organizator."
)
AGREEMENT_SIGNATURE_FILE = _(
    "Dołącz porozumienie podpisane podpisem kwalifikowanym lub zaufanym: plik PDF z podpisem "
    "(PAdES) albo plik XAdES (.xml, .xades), najwięcej %(size)s MB."
)
AGREEMENT_SCAN_FILE = _("Skan dołącz jako plik PDF, JPG albo PNG, najwięcej %(size)s MB.")
AGREEMENT_SIGNED_ON_FUTURE = _("Data podpisania nie może być późniejsza niż dziś.")
AGREEMENT_SIGNED_ON_TOO_EARLY = _(
    "Data podpisania nie może być wcześniejsza niż dzień sporządzenia porozumienia (%(date)s)."
)
AGREEMENT_GUARDIAN_REQUIRED = _(
    "Wolontariusz jest niepełnoletni: podaj imię i nazwisko rodzica lub opiekuna prawnego, który wyraził zgodę."
)
AGREEMENT_ALREADY_SIGNED = _("To porozumienie zostało już podpisane.")
HOURS_OUTSIDE_OFFER = _("Ten dzień jest poza okresem wolontariatu (%(start)s – %(end)s).")
HOURS_IN_FUTURE = _("Nie można wpisać godzin za dzień, który jeszcze nie nadszedł.")
HOURS_DAY_OVER_24 = _("W jednym dniu można wpisać łącznie najwyżej 24 godziny.")
HOURS_NOT_PENDING = _("Te godziny zostały już rozpatrzone.")
NO_CONFIRMED_HOURS = _("Zaświadczenie można wydać, gdy organizator potwierdzi choć jedną godzinę.")

# Recurring activities
ACTIVITY_ENDS_BEFORE_START = _("Koniec zajęć musi być później niż ich początek.")
ACTIVITY_NOT_OPEN = _("Na te zajęcia nie można się teraz zapisać.")
ACTIVITY_ALREADY_SIGNED_UP = _("Jesteś już zapisany(-a) na te zajęcia.")
ACTIVITY_NOT_SIGNED_UP = _("Nie jesteś zapisany(-a) na te zajęcia.")
ACTIVITY_CAPACITY_BELOW_CONFIRMED = _(
    "Na zajęcia zapisało się już %(count)s osób; liczba miejsc nie może być mniejsza."
)
ACTIVITY_ALREADY_ENDED = _("Te zajęcia zostały już zakończone.")

# Acting for a person (issue 17): the same rules, said about the person the clerk acts for.
PERSON_ALREADY_REGISTERED = _(
    "Ta osoba jest już zapisana na to wydarzenie (lub na listę rezerwową)."
)
PERSON_NOT_REGISTERED = _("Ta osoba nie jest zapisana na to wydarzenie.")
PERSON_ALREADY_SIGNED_UP = _("Ta osoba jest już zapisana na te zajęcia (lub na listę rezerwową).")
PERSON_NOT_SIGNED_UP = _("Ta osoba nie jest zapisana na te zajęcia.")
PERSON_ALREADY_APPLIED = _("Ta osoba już zgłosiła się do tej oferty.")
PERSON_OWN_OFFER = _("Ta osoba jest koordynatorem tej oferty.")
