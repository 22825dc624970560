from django.urls import path

from wspolnota.communication import feeds, views

app_name = "communication"

urlpatterns = [
    path("", views.board, name="board"),
    path("archiwum/", views.archive, name="archive"),
    path("dzielnica/<int:number>/", views.district_board, name="district_board"),
    path("rss/", feeds.NoticeRssFeed(), name="feed_rss"),
    path("atom/", feeds.NoticeAtomFeed(), name="feed_atom"),
    path("kalendarz.ics", feeds.ical_response, name="ical"),
    path("dzielnica/<int:number>/rss/", feeds.NoticeRssFeed(), name="district_feed_rss"),
    path("dzielnica/<int:number>/atom/", feeds.NoticeAtomFeed(), name="district_feed_atom"),
    path("dzielnica/<int:number>/kalendarz.ics", feeds.ical_response, name="district_ical"),
    path("<int:notice_id>/", views.notice_detail, name="notice_detail"),
    path("<int:notice_id>/plakat.pdf", views.notice_poster, name="notice_poster"),
    path("<int:notice_id>/nagranie.wav", views.notice_audio, name="notice_audio"),
    path("subskrypcja/", views.subscribe, name="subscribe"),
    path("subskrypcja/kod/", views.subscription_code, name="subscription_code"),
    path(
        "subskrypcja/<str:manage_token>/potwierdz/<str:secret>/",
        views.subscription_confirm_email,
        name="subscription_confirm_email",
    ),
    path("wypisz/<str:manage_token>/", views.subscription_manage, name="unsubscribe"),
    path("moje-subskrypcje/", views.my_subscriptions, name="my_subscriptions"),
    path("okienko/", views.counter, name="counter"),
    path("okienko/listy/", views.reply_letters, name="reply_letters"),
    path("okienko/listy/<int:batch_id>/", views.reply_letters_pdf, name="reply_letters_pdf"),
    path(
        "okienko/subskrypcja/<int:subscription_id>/",
        views.counter_subscription,
        name="counter_subscription",
    ),
    path("zarzadzanie/", views.manage_list, name="manage_list"),
    path("nowe/", views.notice_create, name="notice_create"),
    path("budzet/", views.budgets, name="budgets"),
    path("<int:notice_id>/edycja/", views.notice_edit, name="notice_edit"),
    path("<int:notice_id>/publikacja/", views.notice_publish, name="notice_publish"),
    path("<int:notice_id>/wycofanie/", views.notice_withdraw, name="notice_withdraw"),
    path("<int:notice_id>/raport/", views.notice_report, name="notice_report"),
    path("<int:notice_id>/listy/", views.notice_letters, name="notice_letters"),
    path(
        "<int:notice_id>/listy/<int:batch_id>.pdf", views.letter_batch_pdf, name="letter_batch_pdf"
    ),
]
