from django.urls import path

from wspolnota.budget import setup_views, views

app_name = "budget"

urlpatterns = [
    path("", views.index, name="index"),
    path("moje-projekty/", views.my_projects, name="my_projects"),
    path("urzad/", views.office, name="office"),
    path("<int:bo_year>/", views.edition_detail, name="edition"),
    path("<int:bo_year>/etapy/", views.edition_phases, name="edition_phases"),
    path("urzad/nowa-edycja/", setup_views.edition_new, name="edition_new"),
    path("<int:bo_year>/ustawienia/", setup_views.edition_setup, name="edition_setup"),
    path("<int:bo_year>/ustawienia/pule/", setup_views.pools, name="setup_pools"),
    path("<int:bo_year>/ustawienia/pule/<int:bo_pool>/", setup_views.pool_edit, name="setup_pool"),
    path(
        "<int:bo_year>/ustawienia/weryfikacja/",
        setup_views.verification_assign,
        name="setup_verification",
    ),
    path("<int:bo_year>/projekty/", views.catalogue, name="catalogue"),
    path("<int:bo_year>/projekty/mapa/", views.catalogue_map, name="catalogue_map"),
    path("<int:bo_year>/projekty/eksport.csv", views.export_csv, name="export_csv"),
    path("<int:bo_year>/projekty/eksport.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:bo_year>/lista-do-glosowania/", views.final_list, name="final_list"),
    path("<int:bo_year>/zglos-projekt/", views.project_create, name="project_create"),
    path("projekty/<int:bo_project>/", views.project_detail, name="project_detail"),
    path("projekty/<int:bo_project>/edycja/", views.project_edit, name="project_edit"),
    path("projekty/<int:bo_project>/usun-szkic/", views.draft_delete, name="draft_delete"),
    path("projekty/<int:bo_project>/poprzyj/", views.project_support, name="project_support"),
    path("projekty/<int:bo_project>/obserwuj/", views.project_follow, name="project_follow"),
    path("projekty/<int:bo_project>/wycofaj/", views.project_withdraw, name="project_withdraw"),
    path("projekty/<int:bo_project>/odwolanie/", views.project_appeal, name="project_appeal"),
    path(
        "projekty/<int:bo_project>/weryfikacja/",
        views.project_verification,
        name="project_verification",
    ),
    path(
        "projekty/<int:bo_project>/poparcia/<int:bo_support>/",
        views.support_check,
        name="support_check",
    ),
    path("projekty/<int:bo_project>/karta.pdf", views.project_card_pdf, name="project_card_pdf"),
    path(
        "projekty/<int:bo_project>/lista-poparcia.pdf",
        views.support_list_pdf,
        name="support_list_pdf",
    ),
    path(
        "projekty/<int:bo_project>/wersje/<int:bo_version>/",
        views.project_version,
        name="project_version",
    ),
    path(
        "projekty/<int:bo_project>/zalaczniki/", views.attachment_upload, name="attachment_upload"
    ),
    path(
        "projekty/<int:bo_project>/zalaczniki/<int:bo_attachment>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "projekty/<int:bo_project>/zalaczniki/<int:bo_attachment>/usun/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("polaczenia/<int:bo_merge>/", views.merge_answer, name="merge_answer"),
]
