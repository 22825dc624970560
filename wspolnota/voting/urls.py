from django.urls import path

from wspolnota.voting import setup_views, views

app_name = "voting"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:vote_year>/", views.edition_detail, name="edition"),
    path("<int:vote_year>/frekwencja/", views.turnout, name="turnout"),
    path("<int:vote_year>/punkty/", views.points, name="points"),
    path("<int:vote_year>/glosuj/", views.vote_identity, name="vote_identity"),
    path("<int:vote_year>/glosuj/telefon/", views.vote_phone, name="vote_phone"),
    path("<int:vote_year>/glosuj/karta/", views.vote_ballot, name="vote_ballot"),
    path("<int:vote_year>/glosuj/dzielnica/", views.vote_district, name="vote_district"),
    path("<int:vote_year>/glosuj/oddaj/", views.vote_cast, name="vote_cast"),
    path("<int:vote_year>/glosuj/potwierdzenie/", views.vote_receipt, name="vote_receipt"),
    path(
        "<int:vote_year>/karta-do-glosowania-<int:vote_district>.pdf",
        views.ballot_card_pdf,
        name="ballot_card_pdf",
    ),
    path("<int:vote_year>/urzad/", views.office, name="office"),
    path("<int:vote_year>/ustawienia/zasady/", setup_views.rules, name="setup_rules"),
    path("<int:vote_year>/ustawienia/punkty/", setup_views.points, name="setup_points"),
    path(
        "<int:vote_year>/ustawienia/punkty/<int:vote_point>/",
        setup_views.point_edit,
        name="setup_point",
    ),
    path("<int:vote_year>/karty-do-wyjasnienia/", views.paper_review, name="paper_review"),
    path("<int:vote_year>/wyniki/", views.results, name="results"),
    path("<int:vote_year>/wyniki/wersja-<int:version>/", views.results, name="results_version"),
    path("<int:vote_year>/komisja/nieprawidlowosci/", views.suspicious, name="suspicious"),
    path("<int:vote_year>/wyniki/<int:vote_pool>/", views.pool_results, name="pool_results"),
    path(
        "<int:vote_year>/wyniki/<int:vote_pool>/protokol.pdf",
        views.pool_protocol_pdf,
        name="pool_protocol_pdf",
    ),
    path("<int:vote_year>/kody-potwierdzen/", views.receipts, name="receipts"),
    path("<int:vote_year>/dane/pula-<int:vote_pool>.pb", views.open_data_pb, name="open_data_pb"),
    path("<int:vote_year>/dane/wyniki.json", views.open_data_results_json, name="results_json"),
    path("<int:vote_year>/dane/wyniki.csv", views.open_data_results_csv, name="results_csv"),
    path("<int:vote_year>/dane/frekwencja.csv", views.open_data_turnout_csv, name="turnout_csv"),
    path("punkty/<int:vote_point>/", views.point_detail, name="point"),
    path("punkty/<int:vote_point>/karty/", views.paper_entry, name="paper_entry"),
    path("punkty/<int:vote_point>/zamkniecie/", views.point_close, name="point_close"),
    path(
        "punkty/<int:vote_point>/protokol.pdf", views.point_protocol_pdf, name="point_protocol_pdf"
    ),
    path("karty/<int:vote_card>/", views.paper_resolve, name="paper_resolve"),
]
