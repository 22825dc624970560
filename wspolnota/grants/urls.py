from django.urls import path

from wspolnota.grants import counter_views, views

app_name = "grants"

A = "<int:grant_application_id>"
C = "<int:grant_call_id>"
G = "<int:grant_agreement_id>"

urlpatterns = [
    path("", views.index, name="index"),
    path(f"nabory/{C}/", views.call_detail, name="call_detail"),
    path(f"nabory/{C}/wyniki/", views.call_results, name="call_results"),
    path(f"nabory/{C}/nowy-wniosek/", views.application_start, name="application_start"),
    path("uwagi/", views.remarks_list, name="remarks_list"),
    path("zasady/", views.rules, name="rules"),
    path(f"uwagi/{A}/", views.remarks_detail, name="remarks_detail"),
    path("moje/", views.mine, name="mine"),
    path(f"wnioski/{A}/", views.application_detail, name="application_detail"),
    path(f"wnioski/{A}/opis/", views.application_edit, name="application_edit"),
    path(f"wnioski/{A}/rezygnacja/", views.application_resign, name="application_resign"),
    path(
        f"wnioski/{A}/oswiadczenia/",
        views.application_declarations,
        name="application_declarations",
    ),
    path(f"wnioski/{A}/oferta-wspolna/", views.application_partners, name="application_partners"),
    path(f"wnioski/{A}/oferta.pdf", views.application_offer_pdf, name="application_offer_pdf"),
    path(
        f"wnioski/{A}/kosztorys-po-decyzji/",
        views.award_budget_confirm,
        name="award_budget_confirm",
    ),
    path(f"wnioski/{A}/kosztorys/", views.application_budget, name="application_budget"),
    path(f"wnioski/{A}/harmonogram/", views.application_schedule, name="application_schedule"),
    path(f"wnioski/{A}/rezultaty/", views.application_results, name="application_results"),
    path(f"wnioski/{A}/zalaczniki/", views.application_attachments, name="application_attachments"),
    path(
        f"wnioski/{A}/zalaczniki/<int:grant_attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        f"wnioski/{A}/zalaczniki/<int:grant_attachment_id>/usun/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path(f"wnioski/{A}/zloz/", views.application_submit, name="application_submit"),
    path(f"wnioski/{A}/wycofaj/", views.application_withdraw, name="application_withdraw"),
    path(f"wnioski/{A}/potwierdzenie.pdf", views.application_receipt, name="application_receipt"),
    path("ocena/", views.assessments, name="assessments"),
    path(f"ocena/{A}/", views.assess, name="assess"),
    path("urzad/", views.office, name="office"),
    path(
        "urzad/eksport/<slug:grant_export>.<slug:grant_export_format>",
        views.office_export,
        name="office_export",
    ),
    path("urzad/programy/nowy/", views.programme_create, name="programme_create"),
    path("urzad/programy/<int:grant_programme_id>/", views.programme_edit, name="programme_edit"),
    path(
        "urzad/programy/<int:grant_programme_id>/nowy-nabor/",
        views.call_create,
        name="call_create",
    ),
    path(f"urzad/nabory/{C}/", views.call_manage, name="call_manage"),
    path(f"urzad/nabory/{C}/oglos/", views.call_publish, name="call_publish"),
    path(f"urzad/nabory/{C}/zmiana/", views.call_amend, name="call_amend"),
    path(f"urzad/nabory/{C}/protokol.pdf", views.call_protocol, name="call_protocol"),
    path(f"urzad/nabory/{C}/zamknij/", views.call_close, name="call_close"),
    path(
        f"urzad/nabory/{C}/opublikuj-wyniki/",
        views.call_publish_results,
        name="call_publish_results",
    ),
    path(f"urzad/nabory/{C}/archiwizuj/", views.call_archive, name="call_archive"),
    path(f"urzad/nabory/{C}/komisja/", views.call_commission, name="call_commission"),
    path(
        f"urzad/nabory/{C}/komisja/<int:grant_member_id>/usun/",
        views.commission_remove,
        name="commission_remove",
    ),
    path(f"urzad/nabory/{C}/ranking/", views.call_ranking, name="call_ranking"),
    path(f"urzad/wnioski/{A}/", views.office_application, name="office_application"),
    path(f"urzad/wnioski/{A}/umowa/", views.agreement_edit, name="agreement_edit"),
    path(f"umowy/{G}/", views.agreement_detail, name="agreement_detail"),
    path(f"umowy/{G}/umowa.pdf", views.agreement_pdf, name="agreement_pdf"),
    path(f"umowy/{G}/podpisz/", views.agreement_sign, name="agreement_sign"),
    path(
        f"umowy/{G}/transze/<int:grant_tranche_id>/przekazano/",
        views.tranche_paid,
        name="tranche_paid",
    ),
    path(f"umowy/{G}/archiwizuj/", views.agreement_archive, name="agreement_archive"),
    path(f"umowy/{G}/aneks/", views.agreement_annex, name="agreement_annex"),
    path(f"umowy/{G}/rozwiazanie/", views.agreement_terminate, name="agreement_terminate"),
    path(f"umowy/{G}/zwroty/", views.fund_return_request, name="fund_return_request"),
    path(
        f"umowy/{G}/zwroty/<int:grant_return_id>/",
        views.fund_return_record,
        name="fund_return_record",
    ),
    path(f"umowy/{G}/sprawozdanie/", views.report_start, name="report_start"),
    path("sprawozdania/<int:grant_report_id>/", views.report_detail, name="report_detail"),
    path("sprawozdania/<int:grant_report_id>/zloz/", views.report_submit, name="report_submit"),
    path("sprawozdania/<int:grant_report_id>/rozpatrz/", views.report_review, name="report_review"),
    # at the counter: keying in from paper for a person (issue 17)
    path("okienko/<int:person_id>/", counter_views.counter, name="counter"),
    path(
        "okienko/<int:person_id>/wniosek/",
        counter_views.counter_application,
        name="counter_application",
    ),
    path("okienko/<int:person_id>/uwaga/", counter_views.counter_remark, name="counter_remark"),
]
