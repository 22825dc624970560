"""The strategy's own wording, marked for translation.

The tree and the indicators are stored in Polish exactly as the strategy prints them; pages show
them through ``gettext``, so the English and Ukrainian catalogues carry their translations. A test
checks that every string parsed from the strategy text is listed here.
"""

from django.utils.translation import gettext_lazy, gettext_noop

STRATEGY_STRINGS = [
    gettext_noop("Silna wspólnota samorządowa mieszkańców Krakowa"),
    gettext_noop(
        "Chcemy w Krakowie budować wspólnotę podzielanych wartości i celów, wzmacniać poczucie wspólnotowości mieszkańców Krakowa i zwiększać ich zaangażowanie w zarządzanie miastem."
    ),
    gettext_noop("Wysoki poziom partycypacji społecznej mieszkańców"),
    gettext_noop("Silny sektor organizacji społecznych (pozarządowych)"),
    gettext_noop("Spójność społeczna"),
    gettext_noop(
        "Edukacja mieszkańców - zwłaszcza dzieci i młodzieży - w zakresie budowania poczucia współodpowiedzialności, więzi, wspólnoty i patriotyzmu."
    ),
    gettext_noop(
        "Rozbudowa skutecznych mechanizmów konsultacji, pozwalających mieszkańcom i organizacjom pozarządowym na współkształtowanie decyzji i polityk miejskich."
    ),
    gettext_noop(
        "Wprowadzenie mechanizmów wspierania lokalnych inicjatyw, opierających się na szerokiej partycypacji i oddolnych inicjatywach, budujących wspólnotę w skali sąsiedzkiej i osiedlowej (np. mikrogranty dla inicjatyw lokalnych)."
    ),
    gettext_noop(
        "Stworzenie spójnego systemu komunikacji społecznej, obejmującego osiedla i wspólnoty sąsiedzkie, w tym także w sposób nie wymagający umiejętności cyfrowych."
    ),
    gettext_noop(
        "Wzmocnienie instytucji miejskich (szkoły, biblioteki, domy kultury, rady dzielnic), aby efektywniej umożliwiały prowadzenie aktywności społecznych i obywatelskich."
    ),
    gettext_noop(
        "Zwiększenie kompetencji gremiów doradczych, takich jak: Młodzieżowa Rada Krakowa, Rada Krakowskich Seniorów, Komisje Dialogu Obywatelskiego."
    ),
    gettext_noop(
        "Rozszerzenie funkcji i kompetencji Rad Dzielnic w kierunku pełniejszej reprezentacji potrzeb społeczności lokalnych."
    ),
    gettext_noop(
        "Zapewnienie lepszej integracji osobom zagrożonym wykluczeniem społecznym, w tym poprzez organizowanie placówek dla dzieci, młodzieży, osób starszych i z niepełnosprawnościami."
    ),
    gettext_noop(
        "Wspieranie przez Miasto działalności organizacji społecznych na rzecz wzrostu aktywności obywateli oraz wspieranie działań zmierzających do profesjonalizacji sektora organizacji społecznych; wspieranie niesformalizowanych ruchów miejskich, poprzez m.in. zapraszanie do debat, konsultacji."
    ),
    gettext_noop(
        "Promowanie idei wolontariatu w różnych grupach społecznych oraz wspieranie inicjatyw samopomocowych mieszkańców."
    ),
    gettext_noop(
        "Realizacja programów przeciwdziałania zjawiskom wykluczenia społecznego; realizacja programów integracji społecznej, międzypokoleniowej i międzykulturowej."
    ),
    gettext_noop(
        "Promowanie modelu rodziny z dziećmi, rodziny wielopokoleniowej i kształtowanie pozytywnego wizerunku rodziny."
    ),
    gettext_noop(
        "Prowadzenie cyklicznych programów aktywizujących rodziny z dziećmi, w oparciu o centra kultury, młodzieżowe domy kultury, Kluby Rodzica, muzea, biblioteki i inne przestrzenie wielofunkcyjne."
    ),
    gettext_noop(
        "Wspieranie rodzin z dziećmi z niepełnosprawnością oraz dążenie do zapewnienia ciągłości życia zawodowego osób starszych."
    ),
    gettext_noop(
        "Rozwijanie i dostosowywanie usług publicznych, infrastruktury technicznej i systemów informacji do potrzeb osób starszych."
    ),
    gettext_noop(
        "Utworzenie sieci Centrów Aktywności Seniorów, wspierających aktywność fizyczną i społeczną osób starszych."
    ),
    gettext_noop("Wspieranie cudzoziemców i migrantów w asymilacji i funkcjonowaniu w mieście."),
    gettext_noop("Liczba Centrów Aktywności Seniora"),
    gettext_noop("Zaangażowanie Miasta w działania aktywizujące seniorów"),
    gettext_noop("26"),
    gettext_noop("51"),
    gettext_noop("Ok. 70"),
    gettext_noop("Frekwencja w ramach głosowania na budżet obywatelski"),
    gettext_noop("Aktywność obywatelską mieszkańców"),
    gettext_noop("5% (2017)"),
    gettext_noop("5,35%"),
    gettext_noop("Trend wzrostowy"),
    gettext_noop("Liczba organizacji pozarządowych wnioskujących o wsparcie"),
    gettext_noop(
        "Wielkość trzeciego sektora związanego z miastem (organizacje realnie funkcjonujące, podejmujące współpracę z Miastem)"
    ),
    gettext_noop("1 164"),
    gettext_noop("797"),
    gettext_noop("Zadowolenie mieszkańców z możliwości wpływania na władze miasta"),
    gettext_noop("Zdolność do prowadzenia dialogu społecznego przez administrację samorządową"),
    gettext_noop("22%"),
    gettext_noop("40,3%"),
    gettext_noop("dane z badań społecznych Barometr Krakowski"),
    gettext_noop("Skala interwencji w ramach zadań pomocy społecznej w Gminie Miejskiej Kraków"),
    gettext_noop(
        "Odsetek osób w rodzinach objętych pomocą Miejskiego Ośrodka Pomocy Społecznej, odniesiony do liczby mieszkańców Krakowa"
    ),
    gettext_noop("4,4%"),
    gettext_noop("3,9%"),
    gettext_noop("Trend spadkowy"),
    gettext_noop("Strategia Rozwoju Krakowa 2030, Cel Strategiczny V (stan na 2024-04-29)"),
]


# How the platform measures each indicator (shown on its page and in the report).
METHOD_NOTES = {
    "centra-aktywnosci-seniora": gettext_lazy(
        "Liczba Centrów Aktywności Seniorów czynnych 31 grudnia danego roku (w bieżącym roku: dziś), "
        "z rejestru miejsc platformy. W podziale na dzielnice także w przeliczeniu na 10 tysięcy mieszkańców "
        "w wieku 60 lat i więcej, gdy zaimportowano tabelę ludności według wieku."
    ),
    "frekwencja-budzet-obywatelski": gettext_lazy(
        "Liczba osób, które oddały ważny głos w budżecie obywatelskim, podzielona przez liczbę mieszkańców "
        "w dniu odniesienia (źródło liczby mieszkańców jest ustawiane: dane dzielnic albo tabela ludności). "
        "W dzielnicach: głosujący na projekty dzielnicowe podzieleni przez mieszkańców dzielnicy."
    ),
    "organizacje-wnioskujace": gettext_lazy(
        "Liczba różnych organizacji pozarządowych, które w danym roku złożyły co najmniej jeden wniosek "
        "o wsparcie (grant, inicjatywa lokalna, konkurs ofert)."
    ),
    "zadowolenie-z-wplywu": gettext_lazy(
        "Odsetek mieszkańców zadowolonych z możliwości wpływania na władze miasta: wynik Barometru "
        "Krakowskiego wprowadzony ręcznie albo badanie platformy ważone do struktury ludności według "
        "wieku, płci i dzielnicy, z 95-procentowym przedziałem ufności."
    ),
    "pomoc-spoleczna": gettext_lazy(
        "Odsetek osób w rodzinach objętych pomocą Miejskiego Ośrodka Pomocy Społecznej wśród mieszkańców "
        "Krakowa, według sprawozdania MOPS; wprowadzany ręcznie lub z pliku CSV."
    ),
}
