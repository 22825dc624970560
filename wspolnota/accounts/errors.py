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
