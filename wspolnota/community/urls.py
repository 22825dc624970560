from django.urls import path

from wspolnota.community import views

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
    path("moje/", views.my_activity, name="my_activity"),
    # places
    path("miejsca/", views.place_list, name="place_list"),
    path("miejsca/nowe/", views.place_edit, name="place_create"),
    path("miejsca/import/", views.place_import, name="place_import"),
    path("miejsca/<slug:place_slug>/", views.place_detail, name="place_detail"),
    path("miejsca/<slug:place_slug>/edycja/", views.place_edit, name="place_edit"),
    path("miejsca/<slug:place_slug>/sale/nowa/", views.room_edit, name="room_create"),
    path("miejsca/<slug:place_slug>/zajecia/nowe/", views.activity_edit, name="activity_create"),
    # recurring activities
    path("zajecia/<int:activity_id>/", views.activity_detail, name="activity_detail"),
    path("zajecia/<int:activity_id>/edycja/", views.activity_edit, name="activity_edit"),
    path("zajecia/<int:activity_id>/zakonczenie/", views.activity_end, name="activity_end"),
    path("zajecia/<int:activity_id>/zapis/", views.activity_sign_up, name="activity_sign_up"),
    path("zajecia/<int:activity_id>/rezygnacja/", views.activity_leave, name="activity_leave"),
    path(
        "zajecia/<int:activity_id>/uczestnicy/",
        views.activity_participants,
        name="activity_participants",
    ),
    # rooms for civic activity
    path("sale/", views.room_list, name="room_list"),
    path("sale/<int:room_id>/", views.room_detail, name="room_detail"),
    path("sale/<int:room_id>/edycja/", views.room_edit, name="room_edit"),
    path("rezerwacje/", views.booking_review, name="booking_review"),
    path("rezerwacje/<int:booking_id>/decyzja/", views.booking_decide, name="booking_decide"),
    path("rezerwacje/<int:booking_id>/anuluj/", views.booking_cancel, name="booking_cancel"),
    # events
    path("wydarzenia/", views.event_list, name="event_list"),
    path("wydarzenia.ics", views.event_list_ical, name="event_list_ical"),
    path("wydarzenia/nowe/", views.event_edit, name="event_create"),
    path("wydarzenia/moje/", views.events_managed, name="events_managed"),
    path("wydarzenia/<int:event_id>/", views.event_detail, name="event_detail"),
    path("wydarzenia/<int:event_id>.ics", views.event_ical, name="event_ical"),
    path("wydarzenia/<int:event_id>/zapis/", views.event_register, name="event_register"),
    path("wydarzenia/<int:event_id>/rezygnacja/", views.event_unregister, name="event_unregister"),
    path("wydarzenia/<int:event_id>/edycja/", views.event_edit, name="event_edit"),
    path("wydarzenia/<int:event_id>/odwolanie/", views.event_cancel, name="event_cancel"),
    path(
        "wydarzenia/<int:event_id>/uczestnicy/",
        views.event_participants,
        name="event_participants",
    ),
    # volunteering
    path("wolontariat/", views.offer_list, name="offer_list"),
    path("wolontariat/nowa/", views.offer_edit, name="offer_create"),
    path("wolontariat/profil/", views.volunteer_profile, name="volunteer_profile"),
    path("wolontariat/koordynacja/", views.offers_managed, name="offers_managed"),
    path("wolontariat/<int:offer_id>/", views.offer_detail, name="offer_detail"),
    path("wolontariat/<int:offer_id>/edycja/", views.offer_edit, name="offer_edit"),
    path(
        "wolontariat/<int:offer_id>/zgloszenia/",
        views.offer_applications,
        name="offer_applications",
    ),
    path(
        "wolontariat/zgloszenia/<int:application_id>/",
        views.application_detail,
        name="application_detail",
    ),
    path(
        "wolontariat/zgloszenia/<int:application_id>/decyzja/",
        views.application_decide,
        name="application_decide",
    ),
    path(
        "wolontariat/zgloszenia/<int:application_id>/porozumienie/",
        views.agreement,
        name="agreement",
    ),
    path(
        "wolontariat/zgloszenia/<int:application_id>/porozumienie/podpis/",
        views.agreement_file,
        {"kind": "signature"},
        name="agreement_signature_file",
    ),
    path(
        "wolontariat/zgloszenia/<int:application_id>/porozumienie/skan/",
        views.agreement_file,
        {"kind": "scan"},
        name="agreement_scan",
    ),
    path(
        "wolontariat/zgloszenia/<int:application_id>/porozumienie.pdf",
        views.agreement_pdf,
        name="agreement_pdf",
    ),
    path(
        "wolontariat/zgloszenia/<int:application_id>/zaswiadczenie.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("wolontariat/godziny/<int:hours_id>/decyzja/", views.hours_decide, name="hours_decide"),
    # at the counter: acting for a person (issue 17)
    path("okienko/<int:person_id>/", views.counter, name="counter"),
    path("okienko/<int:person_id>/zapis/", views.counter_act, name="counter_act"),
]
