from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class GrantsError(DomainError):
    default_code = "grants_error"


NOT_ALLOWED = _("Nie masz uprawnień do tej czynności.")

# --- programmes and calls -------------------------------------------------------------------------
SOURCE_STATUTE = _("tak stanowi ustawa: %(basis)s")
SOURCE_CITY = _("tak stanowią zasady miasta: %(basis)s")
FRAME_MAX_AMOUNT = _("Najwyżej %(limit)s zł wsparcia w tym rodzaju programu — %(source)s.")
FRAME_MAX_DURATION = _("Realizacja może trwać najwyżej %(limit)s dni — %(source)s.")
FRAME_REMARKS = _("Oferta musi być opublikowana do uwag przez %(limit)s dni — %(source)s.")
FRAME_ANNOUNCEMENT = _(
    "Konkurs ogłasza się co najmniej %(limit)s dni przed terminem składania ofert — %(source)s."
)
FRAME_IN_KIND = _(
    "W inicjatywie lokalnej miasto nie przekazuje pieniędzy: wsparcie jest tylko rzeczowe."
)
FRAME_CONTRIBUTION = _("Inicjatywa lokalna wymaga wkładu mieszkańców.")
FRAME_PASS_SCORE = _("Próg punktowy nie może być niższy niż %(limit)s pkt — %(source)s.")
MIN_ABOVE_MAX = _("Najmniejsza kwota nie może być większa od największej.")
AGE_RANGE = _("Najmłodszy wiek nie może być większy od najstarszego.")
NO_APPLICANT_KIND = _("Zaznacz, kto może składać wnioski.")
RUBRIC_GROUP_CAP = _(
    "Kryteria z grupy „%(group)s” mogą dać razem najwyżej %(limit)s pkt (teraz %(total)s) — %(source)s."
)
RUBRIC_TOTAL = _("Kryteria muszą dać razem dokładnie %(limit)s pkt (teraz %(total)s).")
RUBRIC_EMPTY = _("Dodaj co najmniej jedno kryterium oceny.")
PASS_ABOVE_TOTAL = _("Próg punktowy (%(pass)s) jest wyższy niż suma punktów kryteriów (%(total)s).")
CALL_DATES = _("Termin składania wniosków musi być późniejszy niż początek naboru.")
CALL_NEEDS_DEADLINE = _("Ten program nie jest naborem ciągłym: podaj termin składania wniosków.")
CALL_ANNOUNCEMENT_TOO_LATE = _(
    "Konkurs trzeba ogłosić co najmniej %(days)s dni przed terminem składania ofert; najpóźniejszy termin ogłoszenia minął %(date)s."
)
CALL_NOT_DRAFT = _(
    "Ten nabór został już ogłoszony; jego zasady zmienia tylko ogłoszona zmiana z uzasadnieniem."
)
AMENDMENT_REASON = _("Podaj powód zmiany ogłoszenia; zobaczą go wnioskodawcy.")
AMENDMENT_NOTHING = _("Zmiana ogłoszenia nic nie zmienia.")
AMENDMENT_STATE = _("Zmienić można tylko ogłoszony nabór, który jeszcze przyjmuje wnioski.")
AMENDMENT_DEADLINE = _(
    "Po zmianie ogłoszenia wnioskodawcy muszą mieć co najmniej %(days)s dni — %(source)s. Przesuń termin składania wniosków co najmniej na %(date)s."
)
AMENDMENT_POOL = _("Pula nie może być mniejsza niż już przyznane wsparcie (%(awarded)s zł).")
AMENDMENT_FIELD = _("Tej zasady nie można zmienić w ogłoszeniu: %(field)s.")
PROGRAMME_UNIT = _("Program należy do jednostki, w której jesteś urzędnikiem; wybierz ją.")
CALL_STATE = _("Tej czynności nie można wykonać na tym etapie naboru.")
CALL_HAS_DECISIONS_PENDING = _(
    "Najpierw podejmij decyzję o każdym wniosku ocenionym formalnie pozytywnie (zostało: %(count)s)."
)
COMMISSION_ALREADY = _("Ta osoba jest już w komisji.")
COMMISSION_USER = _("Nie ma aktywnego konta z tym adresem e-mail.")
COMMISSION_HAS_WORK = _(
    "Ten członek komisji złożył już oświadczenia lub oceny; nie można go usunąć."
)

# --- applications ---------------------------------------------------------------------------------
CALL_NOT_OPEN = _("Nabór nie przyjmuje teraz wniosków.")
POOL_EXHAUSTED = _("Środki w tym naborze zostały wyczerpane.")
NOT_DRAFT = _("Wniosek został już złożony; nie można go zmieniać.")
APPLICANT_KIND = _("W tym programie wniosków nie mogą składać: %(kind)s.")
APPLICANT_STATUS = _(
    "Wpis wnioskodawcy w rejestrze musi być zgłoszony do weryfikacji albo zweryfikowany (teraz: %(status)s)."
)
APPLICANT_AGE = _(
    "W tym programie osoba fizyczna musi mieć od %(min)s do %(max)s lat (teraz: %(age)s)."
)
APPLICANT_GUARDIAN = _(
    "W tym programie osoba fizyczna wskazuje pełnoletniego opiekuna w swoim wpisie w rejestrze."
)
TITLE_REQUIRED = _("Podaj tytuł zadania.")
DESCRIPTION_REQUIRED = _("Opisz cel i przebieg zadania.")
SUMMARY_REQUIRED = _("Dodaj krótki opis zadania.")
CONTRIBUTION_TEXT_REQUIRED = _("Opisz, co wniosą mieszkańcy: pracę, rzeczy lub pieniądze.")
EXPERIENCE_REQUIRED = _("Opisz doświadczenie i zasoby wnioskodawcy.")
DATES_REQUIRED = _("Podaj daty rozpoczęcia i zakończenia zadania.")
DATES_ORDER = _("Data zakończenia nie może być wcześniejsza niż data rozpoczęcia.")
DURATION = _("Zadanie może trwać najwyżej %(limit)s dni (teraz %(days)s).")
LEAD_TIME = _(
    "Zasady miasta w tym programie: wniosek składa się co najmniej %(limit)s dni przed rozpoczęciem zadania, więc najwcześniejsza data rozpoczęcia to %(date)s."
)
START_IN_PAST = _("Data rozpoczęcia nie może być wcześniejsza niż dzień złożenia wniosku.")
BUDGET_EMPTY = _("Dodaj co najmniej jedną pozycję kosztorysu.")
BUDGET_LINE_SOURCES = _(
    "Pozycja %(line)s: źródła finansowania (%(sources)s zł) nie sumują się do kosztu (%(total)s zł)."
)
BUDGET_LINE_VOLUNTEER_ONLY = _(
    "Pozycja %(line)s: praca wolontariuszy może finansować tylko pozycje z kategorii „praca wolontariuszy”, a te — tylko ona."
)
BUDGET_VOLUNTEER_RATE = _(
    "Pozycja %(line)s: godzina pracy wolontariusza może być wyceniona najwyżej na %(limit)s zł (teraz %(rate)s zł)."
)
BUDGET_NO_GRANT = _("Wnioskowana kwota musi być większa od zera.")
AMOUNT_BELOW_MIN = _(
    "Wnioskowana kwota (%(amount)s zł) jest mniejsza niż najmniejsza dozwolona (%(limit)s zł)."
)
AMOUNT_ABOVE_MAX = _(
    "Wnioskowana kwota (%(amount)s zł) przekracza największą dozwoloną (%(limit)s zł)."
)
AMOUNT_ABOVE_POOL = _(
    "Wnioskowana kwota (%(amount)s zł) przekracza środki pozostałe w naborze (%(limit)s zł)."
)
YEARLY_CAP = _(
    "Ten wnioskodawca dostał w %(year)s r. już %(used)s zł; razem z tym wnioskiem przekroczyłby roczny limit %(limit)s zł, który ustaliło miasto w zasadach programu."
)
CONTRIBUTION_REQUIRED = _(
    "Ten program wymaga wkładu własnego: pieniędzy, rzeczy lub pracy wolontariuszy."
)
CONTRIBUTION_SHARE = _(
    "Wkład własny musi wynosić co najmniej %(limit)s%% kosztów (teraz %(share)s%%)."
)
SCHEDULE_REQUIRED = _("Dodaj co najmniej jedno działanie do harmonogramu.")
SCHEDULE_OUTSIDE = _(
    "Działanie „%(action)s” musi mieścić się w czasie realizacji zadania (%(start)s – %(end)s)."
)
SCHEDULE_ORDER = _(
    "Działanie „%(action)s”: data zakończenia jest wcześniejsza niż data rozpoczęcia."
)
RESULTS_REQUIRED = _("Dodaj co najmniej jeden zakładany rezultat.")
OFFER_SPHERE = _("Wskaż rodzaj zadania publicznego (sferę z art. 4 ustawy).")
OFFER_CONTACT = _("Podaj osobę do kontaktu oraz jej telefon lub e-mail.")
OFFER_SOCIAL_CHANGE = _("Opisz, jaka zmiana społeczna zostanie osiągnięta.")
OFFER_RESOURCES = _("Opisz zasoby kadrowe, rzeczowe i finansowe oferenta.")
OFFER_DECLARATION = _("Złóż oświadczenie: %(statement)s")
DECLARATION_WITHIN_ACTIVITY = _(
    "zadanie będzie realizowane wyłącznie w zakresie działalności pożytku publicznego oferenta"
)
DECLARATION_REGISTRY = _("dane oferenta są zgodne z KRS lub inną ewidencją")
DECLARATION_INFORMATION = _("informacje w ofercie są zgodne ze stanem prawnym i faktycznym")
DECLARATION_GDPR = _("oferent dopełnił obowiązków informacyjnych RODO")
OFFER_ARREARS = _(
    "Zaznacz, czy oferent zalega z podatkami i ze składkami (oświadczenie z części VII)."
)
OFFER_FEES_DECLARATION = _(
    "Kosztorys przewiduje opłaty uczestników: potwierdź, że będą pobierane tylko w ramach odpłatnej działalności pożytku publicznego."
)
OFFER_COST_ACTION = _(
    "Pozycja %(line)s: koszt realizacji wskaż przy działaniu z harmonogramu (nr %(known)s); bez działania wolno podać tylko koszty administracyjne."
)
OFFER_COST_PARTNER = _("Pozycja %(line)s: nie ma oferenta nr %(partner)s w tej ofercie.")
PARTNER_INVALID = _(
    "Oferentem wspólnym może być inna organizacja pozarządowa ze zweryfikowanym wpisem w rejestrze."
)
PARTNER_ACTIONS = _("Opisz działania, które wykona ten oferent.")
PARTNER_TWICE = _("Ta organizacja już jest oferentem tej oferty.")
SIGNATURE_FILE = _(
    "Dołącz plik z podpisem kwalifikowanym albo zaufanym (np. PDF z podpisem PAdES lub plik XAdES)."
)
SIGNATURE_MISSING = _(
    "Umowę trzeba podpisać: dołącz plik z podpisem elektronicznym albo zapisz datę wpływu umowy podpisanej na papierze."
)
DUPLICATE_DRAFT = _("Ten wnioskodawca ma już w tym naborze wniosek: %(title)s.")
ROW_ERROR = _("Wiersz %(line)s: %(message)s")
CSV_HEADER = _(
    "Pierwszy wiersz pliku musi zawierać nagłówki: kategoria; rodzaj kosztu; jednostka; liczba; koszt jednostkowy; dotacja; wkład własny; wkład rzeczowy; wolontariat."
)
CSV_COLUMNS = _("Wiersz %(line)s: oczekiwano %(expected)s kolumn, jest %(found)s.")
CSV_NUMBER = _("Wiersz %(line)s, kolumna „%(column)s”: „%(value)s” nie jest liczbą.")
CSV_CATEGORY = _("Wiersz %(line)s: nieznana kategoria „%(value)s”.")
CSV_ENCODING = _("Plik musi być zapisany w kodowaniu UTF-8 (CSV rozdzielany średnikami).")
CSV_EMPTY = _("Plik nie zawiera żadnej pozycji kosztorysu.")
NOT_WITHDRAWABLE = _("Wniosku na tym etapie nie można już wycofać.")

# --- evaluation ------------------------------------------------------------------------------------
NOT_SUBMITTED = _("Ten wniosek nie czeka na ocenę formalną.")
FORMAL_REASON = _("Podaj przyczynę odrzucenia, aby wnioskodawca ją poznał.")
NOT_IN_ASSESSMENT = _("Ten wniosek nie jest w ocenie merytorycznej.")
NOT_IN_COMMISSION = _("Nie jesteś członkiem komisji tego naboru.")
DECLARATION_MISSING = _("Najpierw złóż oświadczenie o braku konfliktu interesów.")
DECLARATION_EXISTS = _("Oświadczenie w sprawie tego wniosku już złożono.")
CONFLICT_DECLARED = _("Zgłoszono konflikt interesów: nie możesz oceniać tego wniosku.")
CONFLICT_MEMBERSHIP = _("Działasz w imieniu tego wnioskodawcy, więc zachodzi konflikt interesów.")
CONFLICT_EXPLANATION = _("Opisz krótko, na czym polega konflikt interesów.")
ASSESSMENT_SUBMITTED = _("Ocena została już złożona i nie można jej zmienić.")
POINTS_RANGE = _("Kryterium „%(criterion)s”: liczba punktów musi być od 0 do %(max)s.")
POINTS_MISSING = _("Przyznaj punkty za każde kryterium (brakuje: %(criterion)s).")
REMARKS_CLOSED = _("Uwagi do tej oferty można było zgłaszać do %(date)s.")
REMARKS_NOT_PUBLISHED = _("Ta oferta nie jest opublikowana do uwag.")
REMARK_NAME = _("Podpisz uwagę imieniem i nazwiskiem albo nazwą organizacji.")
REMARKS_PERIOD_RUNNING = _(
    "Decyzję można podjąć po zakończeniu publikacji oferty do uwag (%(date)s)."
)
TOO_FEW_ASSESSMENTS = _("Złożone oceny: %(count)s; potrzeba co najmniej %(min)s.")
BELOW_PASS_SCORE = _("Wniosek uzyskał %(score)s pkt, mniej niż próg %(pass)s pkt.")
APPLICANT_NOT_VERIFIED = _("Wsparcie można przyznać tylko zweryfikowanemu wnioskodawcy.")
AWARD_ABOVE_REQUEST = _("Przyznana kwota nie może być większa niż wnioskowana (%(limit)s zł).")
AWARD_ABOVE_POOL = _("W puli naboru zostało %(remaining)s zł; nie można przyznać %(amount)s zł.")
AWARD_PARTIAL_REASON = _("Przy częściowym dofinansowaniu podaj uzasadnienie.")
AWARD_POSITIVE = _("Przyznana kwota musi być większa od zera.")
DECISION_REASON = _("Podaj uzasadnienie decyzji.")
ALREADY_DECIDED = _("Decyzja w sprawie tego wniosku już zapadła.")
RESERVE_ORDER = _(
    "Zwolnione środki proponuje się wnioskom z listy rezerwowej po kolei; teraz pierwszy jest wniosek %(number)s."
)
RESIGNATION_REASON = _("Podaj powód rezygnacji.")
RESIGN_AFTER_SIGNING = _(
    "Umowa jest już podpisana: zamiast rezygnacji trzeba ją rozwiązać i rozliczyć."
)
BUDGET_UPDATE_LINE = _("Pozycja %(line)s: nie ma jej w kosztorysie albo ma ujemną kwotę.")
BUDGET_UPDATE_SUM = _(
    "Wsparcie w zaktualizowanym kosztorysie (%(sum)s zł) musi równać się przyznanej kwocie (%(amount)s zł)."
)
BUDGET_NOT_CONFIRMED = _(
    "Przyznano mniej, niż wnioskowano: przed podpisaniem umowy wnioskodawca musi potwierdzić zaktualizowany kosztorys."
)

# --- agreements and settlement --------------------------------------------------------------------
NOT_AWARDED = _("Umowę można zawrzeć tylko z wnioskodawcą, któremu przyznano wsparcie.")
AGREEMENT_EXISTS = _("Umowa do tego wniosku już istnieje.")
AGREEMENT_NOT_DRAFT = _("Umowa jest już podpisana; nie można jej zmieniać.")
AGREEMENT_DATES = _("Data zakończenia realizacji nie może być wcześniejsza niż data rozpoczęcia.")
AGREEMENT_DURATION = _(
    "Umowa przewiduje %(days)s dni realizacji, a może najwyżej %(limit)s — %(source)s."
)
SOURCE_CALL = _("tak stanowią zasady naboru „%(title)s”")
AGREEMENT_AMOUNT = _("Kwota umowy (%(amount)s zł) przekracza %(limit)s zł — %(source)s.")
SHARE_NO_PLAN = _(
    "Nie wpisano dotacji planowanych na %(year)s r. dla organizacji pozarządowych, więc nie da się sprawdzić ustawowego limitu udziału małych grantów (%(source)s). Administrator wpisuje tę kwotę w zasadach."
)
SHARE_CEILING = _(
    "Małe granty w %(year)s r. wyniosłyby %(total)s zł, a mogą najwyżej %(limit)s zł (%(percent)s%% z %(planned)s zł dotacji planowanych) — %(source)s."
)
IBAN_INVALID = _("Numer rachunku jest niepoprawny; wpisz 26 cyfr (z PL na początku lub bez).")
IBAN_REQUIRED = _("Podaj numer rachunku bankowego, na który miasto przekaże środki.")
TRANCHES_SUM = _("Transze (%(sum)s zł) muszą sumować się do kwoty umowy (%(amount)s zł).")
TRANCHES_IN_KIND = _("Wsparcie rzeczowe nie jest przekazywane w transzach.")
TRANCHE_PAID = _("Ta transza została już przekazana.")
TRANCHE_BEFORE_SIGNING = _("Transzę można przekazać dopiero po podpisaniu umowy.")
AGREEMENT_NOT_SIGNED = _(
    "Sprawozdanie można złożyć do podpisanej umowy, która nie została rozliczona."
)
ANNEX_REASON = _("Podaj powód aneksu.")
ANNEX_STATE = _("Aneks można zawrzeć tylko do podpisanej umowy w realizacji.")
ANNEX_AMOUNT_UP = _("Aneks nie zwiększa kwoty wsparcia; to wymaga nowej decyzji.")
ANNEX_BELOW_PAID = _("Kwota umowy nie może być mniejsza niż już przekazane transze (%(paid)s zł).")
ANNEX_BUDGET_NEEDED = _("Zmiana kwoty wymaga zaktualizowanego kosztorysu w aneksie.")
TERMINATION_REASON = _("Podaj powód rozwiązania umowy.")
TERMINATION_STATE = _("Rozwiązać można tylko podpisaną umowę w realizacji.")
RETURN_STATE = _("Zwrotu można żądać tylko z umowy podpisanej, rozliczonej albo rozwiązanej.")
RETURN_AMOUNT = _(
    "Kwota zwrotu musi być dodatnia i razem z wcześniejszymi zwrotami (%(owed)s zł) nie większa niż przekazane środki (%(paid)s zł)."
)
RETURN_FROM_REPORT = _("Z rozliczenia sprawozdania końcowego.")
RETURN_RECORDED = _("Ten zwrot już zapisano.")
REPORT_PERIOD = _("Okres sprawozdania musi mieścić się w czasie realizacji zadania.")
FINAL_EXISTS = _("Sprawozdanie końcowe już istnieje.")
REPORT_NOT_EDITABLE = _(
    "Sprawozdanie zostało złożone; poprawić je można dopiero po zwrocie do poprawy."
)
REPORT_NOT_SUBMITTED = _("To sprawozdanie nie czeka na rozpatrzenie.")
REPORT_LINE_OVER = _(
    "Pozycja %(line)s „%(description)s”: wydatki ze wsparcia (%(actual)s zł) przekraczają plan (%(planned)s zł) o więcej niż %(tolerance)s%%."
)
REPORT_TOTAL_OVER = _(
    "Wydatki ze wsparcia (%(actual)s zł) przekraczają kwotę umowy (%(amount)s zł)."
)
REPORT_CONTRIBUTION_SHORT = _(
    "Wkład własny (%(actual)s zł) jest mniejszy od planowanego (%(planned)s zł) o więcej niż %(tolerance)s%%."
)
REPORT_EXPLANATION = _("Pozycja %(line)s: wyjaśnij różnicę między planem a wykonaniem.")
REPORT_NARRATIVE = _("Opisz, jak wykonano zadanie.")
REVIEW_NOTE = _("Napisz, co trzeba poprawić.")
FINAL_NOT_ACCEPTED = _("Umowę można zarchiwizować po przyjęciu sprawozdania końcowego.")

# --- regranting operator (art. 16a) ---------------------------------------------------------------
OPERATOR_KIND = _(
    "Operatorem regrantingu może być tylko zweryfikowana organizacja pozarządowa z rejestru."
)
OPERATOR_REQUIRED = _(
    "Grupie nieformalnej ani osobie niepełnoletniej miasto nie przekazuje pieniędzy "
    "bezpośrednio: wskaż w programie operatora regrantingu (art. 16a ustawy)."
)
GUARDIAN_CONSENT = _(
    "Wnioskodawca jest niepełnoletni: umowa wymaga pełnoletniego opiekuna prawnego z rejestru "
    "i jego zgody."
)

# --- keying in from paper (issue 17) -----------------------------------------------------------
RECEIVED_REQUIRED = _("Podaj, kiedy pismo wpłynęło do urzędu (data i godzina z pieczęci wpływu).")
RECEIVED_IN_FUTURE = _("Data wpływu nie może być późniejsza niż teraz.")
RECEIVED_AFTER_DEADLINE = _(
    "Wniosek wpłynął %(received)s, po terminie składania wniosków (%(deadline)s): nie można go "
    "przyjąć."
)
RECEIVED_BEFORE_OPENING = _(
    "Wniosek wpłynął %(received)s, przed początkiem naboru (%(opens)s): nie można go przyjąć."
)
RECEIVED_CALL_CLOSED = _(
    "Nabór został już zamknięty do oceny; wniosków papierowych nie można już wprowadzać."
)
PERSON_NOT_REPRESENTATIVE = _(
    "Ta osoba nie reprezentuje tego wnioskodawcy w rejestrze: najpierw wpisz ją jako "
    "przedstawiciela albo zarejestruj wnioskodawcę w jej imieniu."
)
REMARK_RECEIVED_OUTSIDE = _(
    "Uwaga wpłynęła %(received)s, poza okresem uwag do tej oferty (%(start)s – %(end)s): nie "
    "można jej przyjąć."
)
