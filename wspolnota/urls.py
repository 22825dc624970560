from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language

from wspolnota.api.api import api
from wspolnota.core import views as core_views
from wspolnota.core.backoffice import operator_site
from wspolnota.monitoring import views as monitoring_views

urlpatterns = [
    path("api/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    # a dataset's IRI in the open-data catalogue (language-free): 303 to the dataset's page
    path("dane/<slug:dataset_id>", monitoring_views.dataset_iri, name="dataset_iri"),
]

urlpatterns += i18n_patterns(
    path("", include("wspolnota.core.urls")),
    path("konto/", include("wspolnota.accounts.urls")),
    path("okienko/", include("wspolnota.accounts.counter_urls")),
    path("dzielnice/", include("wspolnota.territory.urls")),
    path("budzet-obywatelski/realizacja/", include("wspolnota.implementation.urls")),
    path("budzet-obywatelski/", include("wspolnota.budget.urls")),
    path("glosowanie/", include("wspolnota.voting.urls")),
    path("konsultacje/", include("wspolnota.consultations.urls")),
    path("organizacje/", include("wspolnota.organisations.urls")),
    path("granty/", include("wspolnota.grants.urls")),
    path("spolecznosc/", include("wspolnota.community.urls")),
    path("rady/", include("wspolnota.councils.urls")),
    path("ogloszenia/", include("wspolnota.communication.urls")),
    path("strategia/", include("wspolnota.monitoring.urls")),
    path("szkoly/", include("wspolnota.schools.urls")),
    path("zaplecze/", operator_site.urls),
    prefix_default_language=True,
)

handler400 = "wspolnota.core.views.error_400"
handler403 = "wspolnota.core.views.error_403"
handler404 = "wspolnota.core.views.error_404"
handler500 = "wspolnota.core.views.error_500"
