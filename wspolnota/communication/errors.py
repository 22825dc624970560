from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class CommunicationError(DomainError):
    default_code = "communication_error"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")
NOTICE_NOT_DRAFT = _("To ogłoszenie zostało już opublikowane albo wycofane; nie można go zmienić.")
NOTICE_NOT_PUBLISHED = _("To ogłoszenie nie jest opublikowane.")
NOTICE_NO_TEXT = _("Ogłoszenie musi mieć tytuł i treść w języku oryginału.")
NOTICE_NO_DISTRICTS = _("Wybierz co najmniej jedną dzielnicę.")
NOTICE_DISTRICT_NOT_YOURS = _("Rada dzielnicy może ogłaszać tylko w swojej dzielnicy.")
NOTICE_AREA_MISSING = _(
    "Podaj obszar: plik GeoJSON z wielokątem albo środek (szerokość i długość) i promień."
)
NOTICE_AREA_OUTSIDE = _("Obszar nie leży w granicach żadnej dzielnicy.")
NOTICE_NGO_URGENT = _("Organizacja pozarządowa nie może wysyłać ogłoszeń pilnych.")
NOTICE_DATES = _("Data końca musi być późniejsza niż data początku.")
GEOJSON_INVALID = _("Plik GeoJSON jest niepoprawny (wiersz %(line)s): %(problem)s")
GEOJSON_NOT_POLYGON = _("Plik GeoJSON musi zawierać wielokąt (Polygon albo MultiPolygon).")
ADDRESS_EMAIL_MISSING = _("Podaj adres e-mail.")
ADDRESS_PHONE_MISSING = _("Podaj numer telefonu.")
ADDRESS_PHONE_INVALID = _(
    "To nie jest poprawny numer telefonu. Wpisz go z numerem kierunkowym, np. +48 600 100 200."
)
ADDRESS_MOBILE_ONLY = _("Na SMS potrzebny jest numer telefonu komórkowego.")
ADDRESS_COUNTRY_NOT_ALLOWED = _(
    "SMS-y i połączenia wysyłamy tylko na numery z tych krajów (numery kierunkowe): %(prefixes)s."
)
DAILY_LIMIT = _(
    "Na ten adres wysłaliśmy dziś już tyle wiadomości, ile możemy. Spróbuj ponownie jutro albo "
    "zadzwoń pod numer pomocy."
)
ADDRESS_POSTAL_MISSING = _("Podaj imię i nazwisko, ulicę, kod pocztowy i miejscowość.")
POSTAL_CODE_INVALID = _("Kod pocztowy ma postać 00-000.")
LETTER_ONLY_AT_COUNTER = _(
    "Listy papierowe zamawia się w urzędzie lub telefonicznie — zadzwoń pod numer pomocy."
)
CONSENT_DOCUMENT_MISSING = _("Wpisz numer lub opis podpisanego formularza zgody.")
CODE_WRONG = _("Kod jest niepoprawny. Sprawdź SMS i spróbuj ponownie.")
CODE_EXPIRED = _("Kod lub link wygasł albo wykorzystano wszystkie próby. Zapisz się ponownie.")
ALREADY_ACTIVE = _("Ta subskrypcja jest już aktywna.")
NOTHING_TO_PRINT = _("Nie ma listów do wydrukowania dla tego ogłoszenia.")
NOTICE_UNIT_MISSING = _(
    "SMS-y, połączenia i listy opłaca jednostka miejska: wybierz jednostkę odpowiedzialną."
)
NOTICE_UNIT_NOT_YOURS = _(
    "W imieniu Urzędu Miasta piszesz tylko jako urzędnik jednostki, do której należysz."
)
NOTICE_SENDER_IS_THE_CITY = _(
    "Nazwa nadawcy nie może podszywać się pod Urząd Miasta ani jego jednostkę. "
    "W imieniu miasta piszą tylko jego urzędnicy: podaj nazwę swojej organizacji lub rady."
)
NOTICE_NEEDS_APPROVAL = _(
    "SMS-y, połączenia i listy wysyła dopiero urzędnik jednostki, która za nie płaci. "
    "Przekaż ogłoszenie do zatwierdzenia."
)
NOTICE_NOT_PAID = _("To ogłoszenie nie używa płatnych kanałów; nie wymaga zatwierdzenia.")
BUDGET_NOT_SET = _("Jednostka %(unit)s nie ustaliła budżetu wysyłek płatnych na rok %(year)s.")
BUDGET_EXCEEDED = _(
    "Wysyłka kosztowałaby %(cost)s zł, a w budżecie jednostki %(unit)s na rok %(year)s "
    "zostało %(left)s zł."
)
BUDGET_AMOUNT_INVALID = _("Kwota budżetu musi być liczbą nie mniejszą niż zero.")
POINT_INCOMPLETE = _("Podaj obie współrzędne punktu adresowego albo żadnej.")
POINT_OUTSIDE = _("Ten punkt nie leży w granicach miasta. Sprawdź współrzędne.")
