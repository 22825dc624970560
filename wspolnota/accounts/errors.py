from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class AccountsError(DomainError):
    default_code = "accounts_error"


EMAIL_TAKEN = _("Konto z tym adresem e-mail już istnieje. Zaloguj się lub odzyskaj hasło.")
PHONE_INVALID = _(
    "To nie jest poprawny numer telefonu komórkowego. Wpisz go z numerem kierunkowym kraju, np. +48 600 100 200."
)
CODE_WRONG = _("Kod jest niepoprawny. Sprawdź SMS i spróbuj ponownie.")
CODE_EXPIRED = _("Kod wygasł albo wykorzystano wszystkie próby. Poproś o nowy kod.")
NO_PENDING_CODE = _("Najpierw poproś o kod SMS.")
ROLE_SCOPE_DISTRICT = _("Rola radnego dzielnicy wymaga wskazania dzielnicy.")
ROLE_SCOPE_UNIT = _("Rola urzędnika wymaga wskazania jednostki miejskiej.")
ROLE_EXISTS = _("Ta osoba ma już tę rolę.")
NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")
WRONG_PASSWORD = _("Hasło jest niepoprawne.")
PHONE_COUNTRY_NOT_ALLOWED = _(
    "Kody SMS wysyłamy tylko na numery z tych krajów (numery kierunkowe): %(prefixes)s."
)
SMS_DAILY_LIMIT = _(
    "Na ten numer wysłaliśmy dziś już tyle SMS-ów, ile możemy. Spróbuj ponownie jutro albo "
    "zadzwoń pod numer pomocy."
)
LAST_ADMINISTRATOR = _(
    "To jedyny administrator platformy: nadaj najpierw tę rolę komuś innemu, potem ją odbierz."
)
OWN_ADMINISTRATOR_ROLE = _(
    "Nie możesz odebrać roli administratora samemu sobie; zrobi to inny administrator."
)
ADMINISTRATOR_EXISTS = _(
    "Platforma ma już administratora: kolejnych nadaje administrator na stronie Role. Jeśli nikt "
    "nie ma już do niej dostępu, uruchom polecenie z --force."
)
ACCOUNT_INACTIVE = _("To konto jest nieaktywne albo usunięte.")
PASSWORD_REQUIRED = _("Nowe konto potrzebuje hasła.")
EMAIL_INVALID = _("To nie jest poprawny adres e-mail.")
PERSON_NAME_REQUIRED = _("Wpisz imię i nazwisko osoby.")
PERSON_CONTACT_REQUIRED = _(
    "Podaj co najmniej jeden sposób kontaktu: adres pocztowy, telefon stacjonarny, komórkowy "
    "albo e-mail."
)
PERSON_REPLY_CHANNEL_CONTACT = _(
    "Wybrany sposób odpowiedzi wymaga danych kontaktowych: list – pełnego adresu, SMS – telefonu "
    "komórkowego, telefon – numeru stacjonarnego lub komórkowego, e-mail – adresu e-mail."
)
POSTAL_ADDRESS_INCOMPLETE = _(
    "Adres pocztowy musi mieć ulicę z numerem, kod pocztowy (np. 31-004) i miejscowość."
)
POSTCODE_INVALID = _("Kod pocztowy ma postać 00-000.")
LANDLINE_INVALID = _("To nie jest poprawny numer telefonu. Wpisz go np. jako 12 616 12 00.")
EMAIL_BELONGS_TO_ACCOUNT = _(
    "Ten adres e-mail ma już konto na platformie: ta osoba może działać sama albo przez "
    "urzędnika jako posiadacz konta."
)
NOT_A_KEPT_PERSON = _("Ta osoba ma własne konto: jej dane zmienia ona sama.")
CONSENT_EXISTS = _("Ta zgoda jest już udzielona.")
CONSENT_NOT_IN_FORCE = _("Ta zgoda została już wycofana.")
COUNTER_FIND_FIRST = _(
    "Najpierw znajdź tę osobę na stronie okienka: nazwisko i jeszcze jedna dana (telefon, kod "
    "pocztowy, ulica albo e-mail)."
)
CONVERSION_IDENTITY_UNCHECKED = _(
    "Zaznacz, że sprawdzono dokument tożsamości tej osoby, albo wyślij jej kod listem."
)
CONVERSION_NO_POSTAL_ADDRESS = _(
    "Ta osoba nie ma pełnego adresu pocztowego: kodu nie da się wysłać listem. Poproś ją o "
    "wizytę w okienku z dokumentem tożsamości."
)
CONVERSION_LINK_INVALID = _("Ten link jest nieważny albo został już wykorzystany.")
CONVERSION_CODE_WRONG = _("Kod z listu jest niepoprawny. Sprawdź go i wpisz ponownie.")
CONVERSION_CODE_ATTEMPTS = _(
    "Wpisano zbyt wiele błędnych kodów. Poproś w okienku lub przez telefon o nowy list."
)
