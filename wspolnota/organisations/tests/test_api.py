"""The public registry through the API: verified NGOs and groups only, no personal data."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wspolnota.organisations import services
from wspolnota.organisations.models import OrganisationArea, OrganisationPerson, VerificationStatus
from wspolnota.organisations.tests.factories import (
    IndividualFactory,
    InformalGroupFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(krakow):
    ngo = OrganisationFactory(
        name="Fundacja Zielony Kraków", krs="0000123456", phone="12 345 67 89"
    )
    ngo.districts.set([krakow[1], krakow[13]])
    OrganisationArea.objects.create(organisation=ngo, area="ecology")
    group = InformalGroupFactory(
        name="Sąsiedzi z Mogilskiej", street_address="ul. Mogilska 5 m. 3", phone="600 100 200"
    )
    group.districts.set([krakow[3]])
    pending = OrganisationFactory(name="Nowa Fundacja", status=VerificationStatus.PENDING)
    person = IndividualFactory(name="Jan Młody")
    return {"ngo": ngo, "group": group, "pending": pending, "person": person}


def test_the_registry_lists_verified_ngos_and_groups_only(client, registry):
    data = client.get("/api/organisations").json()
    assert [o["name"] for o in data["items"]] == [
        "Fundacja Zielony Kraków",
        "Sąsiedzi z Mogilskiej",
    ]
    ngo = data["items"][0]
    assert ngo["krs"] == "0000123456" and ngo["kind"] == "ngo" and ngo["legal_form"] == "foundation"
    assert [d["number"] for d in ngo["districts"]] == [1, 13]
    assert ngo["areas"][0]["code"] == "ecology"
    assert ngo["contact"]["phone"] == "12 345 67 89"
    assert ngo["url"].endswith(f"/organizacje/{registry['ngo'].pk}/")


def test_no_personal_data_is_published(client, registry):
    text = client.get("/api/organisations").content.decode()
    detail = client.get(f"/api/organisations/{registry['ngo'].pk}").content.decode()
    group = client.get(f"/api/organisations/{registry['group'].pk}").json()
    assert group["contact"] is None
    for name in OrganisationPerson.objects.values_list("full_name", flat=True):
        assert name not in text and name not in detail
    assert "Mogilska 5" not in text and "600 100 200" not in text
    assert "Jan Młody" not in text
    assert client.get(f"/api/organisations/{registry['person'].pk}").status_code == 404
    assert client.get(f"/api/organisations/{registry['pending'].pk}").status_code == 404


def test_filters_by_kind_district_area_and_number(client, registry, krakow):
    def names(**params):
        return [o["name"] for o in client.get("/api/organisations", params).json()["items"]]

    assert names(kind="informal_group") == ["Sąsiedzi z Mogilskiej"]
    assert names(district=13) == ["Fundacja Zielony Kraków"]
    assert names(district=3) == ["Sąsiedzi z Mogilskiej"]
    assert names(area="ecology") == ["Fundacja Zielony Kraków"]
    assert names(q="0000123456") == ["Fundacja Zielony Kraków"]
    assert names(q="mogilskiej") == ["Sąsiedzi z Mogilskiej"]
    assert client.get("/api/organisations", {"district": "x"}).status_code == 422


def test_an_entry_lists_only_its_public_documents(client, registry, settings, tmp_path):
    ngo = registry["ngo"]
    for title, public in (("Statut", True), ("Odpis z KRS", False)):
        services.document_add(
            actor=ngo.created_by,
            organisation=ngo,
            kind="statute",
            title=title,
            upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4\nstatut\n"),
            is_public=public,
        )
    data = client.get(f"/api/organisations/{ngo.pk}").json()
    assert [d["title"] for d in data["documents"]] == ["Statut"]
    download = client.get(data["documents"][0]["url"].replace(settings.SITE_URL, ""))
    assert download.status_code == 200


def test_the_registry_list_does_not_grow_queries_with_entries(
    client, registry, django_assert_max_num_queries
):
    for _ in range(5):
        OrganisationFactory().districts.set([registry["ngo"].districts.first()])
    with django_assert_max_num_queries(5):
        assert client.get("/api/organisations").json()["count"] == 7
