from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class ConsultationsError(DomainError):
    default_code = "consultations_error"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")
NOT_OPEN = _(
    "Konsultacje nie trwają: uwagi, głosy i odpowiedzi przyjmujemy tylko w czasie ich trwania."
)
NOTICE_TOO_SHORT = _(
    "Akcja informacyjna musi zacząć się co najmniej %(days)s dni przed konsultacjami (jest %(actual)s)."
)
TOO_SHORT = _("Konsultacje muszą trwać co najmniej %(days)s dni (zaplanowano %(actual)s).")
TOO_FEW_FORMS = _("Potrzebne są co najmniej %(count)s formy konsultacji (wybrano %(actual)s).")
NO_OPEN_FORM = _("Jedną z form musi być otwarte spotkanie lub warsztaty.")
NO_MEETING_PLANNED = _(
    "Zaplanuj co najmniej jedno otwarte spotkanie lub warsztaty w czasie konsultacji."
)
OVERRIDE_NEEDS_REASON = _(
    "Konsultacje nie spełniają zasad. Odstępstwo jest możliwe tylko z uzasadnieniem (co najmniej 20 znaków), które zostanie opublikowane."
)
ALREADY_PUBLISHED = _("Te konsultacje są już ogłoszone.")
DATES_ORDER = _("Data końca nie może być wcześniejsza niż data początku.")
REASON_REQUIRED = _(
    "Podaj uzasadnienie rozstrzygnięcia: każda uwaga dostaje odpowiedź z uzasadnieniem."
)
DUPLICATE_SELF = _("Uwaga nie może być duplikatem samej siebie ani uwagi z innych konsultacji.")
HIDE_REASON_REQUIRED = _("Podaj powód ukrycia; zostanie zapisany w dzienniku zdarzeń.")
MEETING_FULL = _("Brak wolnych miejsc na to spotkanie.")
MEETING_PAST = _("Zapisy na to spotkanie są już zamknięte.")
ALREADY_REGISTERED = _("Już jesteś zapisany(-a) na to spotkanie.")
SURVEY_ANSWERED = _("Już wypełniono tę ankietę z tego konta.")
SURVEY_ANSWERED_BY_PERSON = _(
    "Ta osoba już wypełniła tę ankietę: przyjmujemy jedną odpowiedź na osobę."
)
PERSON_REGISTERED = _("Ta osoba jest już zapisana na to spotkanie.")
PERSON_REQUIRED = _(
    "Wybierz osobę, w imieniu której działasz (nie możesz działać we własnym imieniu)."
)
SURVEY_LOGIN = _("Tę ankietę mogą wypełnić tylko zalogowane osoby.")
ANSWER_REQUIRED = _("To pytanie jest obowiązkowe.")
ANSWER_INVALID = _("Ta odpowiedź nie pasuje do pytania.")
QUESTION_LINE = _(
    "Wiersz %(line)s: %(problem)s. Format: rodzaj | pytanie | opcja; opcja (rodzaje: single, multiple, scale, ranking, text, matrix)."
)
QUESTION_KIND = _("nieznany rodzaj pytania „%(kind)s”")
QUESTION_OPTIONS = _("to pytanie potrzebuje co najmniej dwóch opcji")
QUESTION_ROWS = _("pytanie macierzowe potrzebuje wierszy po znaku „||”")
QUESTION_EMPTY = _("brak treści pytania")
NO_QUESTIONS = _("Dodaj co najmniej jedno pytanie.")
REPORT_TOO_EARLY = _("Raport można opublikować dopiero po zakończeniu konsultacji.")
REPORT_UNANSWERED = _("Najpierw odpowiedz na wszystkie uwagi (bez odpowiedzi: %(count)s).")
REPORT_PUBLISHED = _("Raport został już opublikowany.")
STATEMENT_NOT_ACCEPTED = _("Można głosować tylko nad przyjętymi stwierdzeniami.")
IMPORT_FILE = _("Plik %(file)s, wiersz %(line)s: %(problem)s")
IMPORT_NOT_EMPTY = _(
    "Mapa opinii tych konsultacji ma już stwierdzenia; import jest możliwy tylko do pustej mapy."
)
OUTSIDE_CITY = _("Ten punkt leży poza granicami miasta.")
NOT_FOUND = _("Nie ma takich konsultacji.")
REPORT_NOT_PUBLISHED = _("Raport z tych konsultacji nie został jeszcze opublikowany.")
CHANGE_NEEDS_REASON = _(
    "Konsultacje są już ogłoszone: każdą zmianę trzeba uzasadnić (co najmniej 20 znaków). Uzasadnienie zostanie opublikowane, a uczestnicy dostaną powiadomienie o zmianie terminów lub form."
)
CHANGE_BREAKS_RULES = _(
    "Po tej zmianie konsultacje nie spełniają zasad: %(problems)s Zmiana jest możliwa tylko z uzasadnieniem (co najmniej 20 znaków), które zostanie opublikowane."
)
CHANGE_PAST_START = _(
    "Konsultacje już się zaczęły: nie można zmienić daty ich początku ani początku akcji informacyjnej."
)
CHANGE_PAST_END = _("Nie można zakończyć konsultacji wcześniej niż dziś.")
CHANGE_AFTER_REPORT = _("Raport został opublikowany: konsultacji nie można już zmieniać.")
RECEIVED_OUTSIDE = _(
    "Data wpływu musi przypadać w czasie konsultacji (od %(start)s do %(end)s) i nie może być późniejsza niż dziś."
)
RECEIVED_AFTER_REPORT = _(
    "Raport z tych konsultacji został już opublikowany: nie można do nich dopisać uwagi."
)
POSTED_OUTSIDE = _(
    "Data stempla pocztowego musi przypadać w czasie konsultacji (od %(start)s do %(end)s) i nie może być późniejsza niż data wpływu."
)
POSTED_REQUIRED = _(
    "List wpłynął po zakończeniu konsultacji: podaj datę stempla pocztowego (liczy się, jeśli przypada w czasie konsultacji, a list wpłynął w ciągu %(days)s dni po ich końcu)."
)
RECEIVED_AFTER_GRACE = _(
    "List wpłynął później niż %(days)s dni po zakończeniu konsultacji (%(end)s): nie można go już uwzględnić."
)
NOT_ANNOUNCED = _("Konsultacje nie są jeszcze ogłoszone.")
ANSWER_TOO_THIN = _(
    "Odpowiedz rzeczowo: uzasadnienie musi wyjaśniać rozstrzygnięcie (co najmniej %(chars)s znaków i %(words)s słowa)."
)
MEETING_CANCELLED = _("To spotkanie zostało odwołane.")
CANCEL_NEEDS_REASON = _("Podaj powód odwołania (co najmniej 20 znaków); zostanie opublikowany.")
SURVEY_DEVICE = _(
    "Z tej przeglądarki już wysłano odpowiedź na tę ankietę. Ankieta anonimowa przyjmuje jedną odpowiedź z jednego urządzenia."
)
SURVEY_TOO_MANY = _(
    "Z tego adresu internetowego wysłano w ostatniej godzinie zbyt wiele odpowiedzi na tę ankietę. Spróbuj później."
)
IMPORT_RUNNING = _("Import tej rozmowy już trwa.")
CLASS_CODES_NONE = _("Ta ankieta nie przyjmuje odpowiedzi kodami klasowymi.")
CLASS_CODES_CLOSED = _("Kody klasowe tej ankiety są już zamknięte: konsultacje się zakończyły.")
