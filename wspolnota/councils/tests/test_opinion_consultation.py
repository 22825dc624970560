"""An advisory body's opinion on a consultation is a real link, shown on the consultation's page
(issue 21: it was a free-text URL and the consultation page never showed it)."""

from __future__ import annotations

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps as global_apps
from django.utils import timezone

from wspolnota.consultations.tests.factories import ConsultationFactory
from wspolnota.core.errors import DomainError
from wspolnota.councils import services
from wspolnota.councils.models import BodyKind, MemberRole, Opinion, OpinionPosition
from wspolnota.councils.tests.factories import BodyFactory, MembershipFactory, TermFactory
from wspolnota.tests_support.factories import UserFactory


@pytest.fixture
def seniors(krakow):
    """The Seniors' Council with a secretary who has an account."""
    body = BodyFactory(
        kind=BodyKind.SENIORS_COUNCIL,
        name="Rada Krakowskich Seniorów",
        slug="rada-seniorow",
        seats=25,
    )
    today = timezone.localdate()
    term = TermFactory(
        body=body, starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=800)
    )
    secretary = UserFactory()
    MembershipFactory(term=term, user=secretary, role=MemberRole.SECRETARY, person_name="Sekretarz")
    return body, secretary


def _adopted_opinion(body, consultation, **extra):
    opinion = services.opinion_save(
        actor=None,
        body=body,
        opinion=None,
        fields={
            "draft_title": "Program senioralny",
            "requested_on": date(2026, 1, 5),
            "consultation": consultation,
            **extra,
        },
    )
    return services.opinion_adopt(
        actor=None,
        opinion=opinion,
        position=OpinionPosition.WITH_REMARKS,
        text="Więcej zajęć w dzielnicach peryferyjnych.",
        adopted_on=date(2026, 1, 20),
    )


@pytest.mark.django_db
def test_an_opinion_links_to_the_consultation_and_its_public_page_lists_it(
    seniors, client, django_assert_max_num_queries
):
    body, _secretary = seniors
    consultation = ConsultationFactory(title="Program senioralny 2026")
    opinion = _adopted_opinion(body, consultation)
    other = ConsultationFactory(title="Inne konsultacje")
    assert Opinion.objects.get(pk=opinion.pk).consultation == consultation

    with django_assert_max_num_queries(20):
        response = client.get(f"/pl/konsultacje/{consultation.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Opinie ciał doradczych" in html
    assert "Rada Krakowskich Seniorów" in html
    assert f'href="/pl/rady/opinie/{opinion.pk}/"' in html
    assert "20 stycznia 2026" in html
    assert (
        f"/pl/rady/opinie/{opinion.pk}/"
        not in client.get(f"/pl/konsultacje/{other.pk}/").content.decode()
    )
    english = client.get(f"/en/konsultacje/{consultation.pk}/").content.decode()
    assert "Opinions of advisory bodies" in english
    ukrainian = client.get(f"/uk/konsultacje/{consultation.pk}/").content.decode()
    assert "Висновки дорадчих органів" in ukrainian
    # and the opinion's own page links back to the consultation's page
    detail = client.get(f"/pl/rady/opinie/{opinion.pk}/").content.decode()
    assert f'href="/pl/konsultacje/{consultation.pk}/"' in detail


@pytest.mark.django_db
def test_an_opinion_still_awaited_is_listed_as_requested_on_the_consultation_page(seniors, client):
    body, _secretary = seniors
    consultation = ConsultationFactory()
    services.opinion_save(
        actor=None,
        body=body,
        opinion=None,
        fields={
            "draft_title": "Program senioralny",
            "requested_on": date(2026, 1, 5),
            "consultation": consultation,
        },
    )
    html = client.get(f"/pl/konsultacje/{consultation.pk}/").content.decode()
    assert "Rada Krakowskich Seniorów" in html
    assert "czeka na opinię" in html
    assert "5 stycznia 2026" in html


@pytest.mark.django_db
def test_the_secretary_picks_an_open_or_recent_consultation_in_the_opinion_form(seniors, client):
    body, secretary = seniors
    today = timezone.localdate()
    open_now = ConsultationFactory(title="Trwające konsultacje")
    recent = ConsultationFactory(
        title="Niedawno zakończone",
        information_from=today - timedelta(days=80),
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=30),
    )
    long_ago = ConsultationFactory(
        title="Dawno zakończone",
        information_from=today - timedelta(days=900),
        starts_on=today - timedelta(days=880),
        ends_on=today - timedelta(days=850),
    )
    draft = ConsultationFactory(title="Projekt niezapowiedziany", published_at=None)
    client.force_login(secretary)
    page = client.get(f"/pl/rady/{body.slug}/opinie/nowa/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{open_now.pk}"' in html and "Trwające konsultacje" in html
    assert f'value="{recent.pk}"' in html
    assert "Dawno zakończone" not in html
    assert "Projekt niezapowiedziany" not in html

    response = client.post(
        f"/pl/rady/{body.slug}/opinie/nowa/",
        {
            "draft_title": "Program senioralny",
            "requested_on": "2026-01-05",
            "consultation": str(open_now.pk),
        },
    )
    assert response.status_code == 302
    assert Opinion.objects.get(body=body).consultation == open_now

    # a draft consultation's id posted by hand is refused with the form's message, not a 500
    refused = client.post(
        f"/pl/rady/{body.slug}/opinie/nowa/",
        {"draft_title": "X", "requested_on": "2026-01-05", "consultation": str(draft.pk)},
    )
    assert refused.status_code == 400
    assert Opinion.objects.filter(body=body).count() == 1
    assert long_ago.pk  # listed nowhere, still linkable by an administrator through the service


@pytest.mark.django_db
def test_the_service_refuses_a_consultation_that_is_not_announced(seniors):
    body, secretary = seniors
    draft = ConsultationFactory(published_at=None)
    with pytest.raises(DomainError) as caught:
        services.opinion_save(
            actor=secretary,
            body=body,
            opinion=None,
            fields={"draft_title": "X", "requested_on": date(2026, 1, 5), "consultation": draft},
        )
    assert caught.value.field == "consultation"


@pytest.mark.django_db
def test_a_pasted_address_of_a_consultation_page_becomes_the_link(seniors, settings):
    body, secretary = seniors
    consultation = ConsultationFactory()
    opinion = services.opinion_save(
        actor=secretary,
        body=body,
        opinion=None,
        fields={
            "draft_title": "Program",
            "requested_on": date(2026, 1, 5),
            "consultation_url": f"{settings.SITE_URL}/en/konsultacje/{consultation.pk}/uwagi/",
        },
    )
    assert opinion.consultation == consultation
    assert opinion.consultation_url == ""
    external = services.opinion_save(
        actor=secretary,
        body=body,
        opinion=None,
        fields={
            "draft_title": "Program wojewódzki",
            "requested_on": date(2026, 1, 5),
            "consultation_url": "https://bip.malopolska.pl/konsultacje/123",
        },
    )
    assert external.consultation is None
    assert external.consultation_url == "https://bip.malopolska.pl/konsultacje/123"


@pytest.mark.django_db
def test_the_data_migration_links_opinions_whose_url_points_at_a_consultation_page(
    seniors, settings
):
    body, _secretary = seniors
    consultation = ConsultationFactory()
    draft = ConsultationFactory(published_at=None)

    def legacy(url: str) -> Opinion:
        return Opinion.objects.create(
            body=body, draft_title="P", requested_on=date(2026, 1, 5), consultation_url=url
        )

    relative = legacy(f"/pl/konsultacje/{consultation.pk}/")
    absolute = legacy(f"{settings.SITE_URL}/uk/konsultacje/{consultation.pk}/uwagi/")
    no_language = legacy(f"/konsultacje/{consultation.pk}")
    the_list = legacy("/pl/konsultacje/")
    missing = legacy("/pl/konsultacje/999999/")
    elsewhere = legacy(f"https://example.org/pl/konsultacje/{consultation.pk}/")
    unannounced = legacy(f"/pl/konsultacje/{draft.pk}/")

    migration = importlib.import_module("wspolnota.councils.migrations.0004_opinion_consultation")
    migration.link_consultations(global_apps, None)

    for opinion in (relative, absolute, no_language):
        opinion.refresh_from_db()
        assert opinion.consultation == consultation
        assert opinion.consultation_url == ""
    for opinion, url in (
        (the_list, "/pl/konsultacje/"),
        (missing, "/pl/konsultacje/999999/"),
        (elsewhere, f"https://example.org/pl/konsultacje/{consultation.pk}/"),
    ):
        opinion.refresh_from_db()
        assert opinion.consultation is None
        assert opinion.consultation_url == url
    unannounced.refresh_from_db()
    assert unannounced.consultation == draft  # the page exists; it is shown once announced
