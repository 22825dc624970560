"""The DCAT-AP catalogue complete and correct (issue 21): budget results, consultations from their
announcement, each dataset's own modification date, dataset IRIs that resolve, and conformance
with the DCAT-AP 3.0.1 SHACL shapes. Each test failed on the code before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wspolnota.tests_support.data import dcat_ap_shapes


def _datasets(client) -> dict[str, dict]:
    catalogue = client.get("/api/monitoring/catalog").json()
    return {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}


def _paths(dataset: dict) -> set[str]:
    return {d["dcat:downloadURL"]["@id"].split("/", 3)[3] for d in dataset["dcat:distribution"]}


@pytest.mark.django_db
def test_the_catalogue_lists_the_budget_results_once_published(client, krakow):
    from wspolnota.voting.models import VotingRules
    from wspolnota.voting.tests.factories import close_vote, make_voting_edition

    edition = close_vote(make_voting_edition(districts=krakow, year=2025))
    assert "budzet-obywatelski-wyniki" not in _datasets(client)  # not before publication
    published = datetime(2025, 7, 1, 10, tzinfo=UTC)
    VotingRules.objects.filter(edition=edition).update(results_published_at=published)
    results = _datasets(client)["budzet-obywatelski-wyniki"]
    assert {
        "pl/glosowanie/2025/dane/wyniki.json",
        "pl/glosowanie/2025/dane/wyniki.csv",
        "pl/glosowanie/2025/dane/frekwencja.csv",
    } <= _paths(results)
    assert results["dct:modified"]["@value"].startswith("2025-07-01")


@pytest.mark.django_db
def test_consultations_are_listed_from_their_announcement_with_their_remarks(client, krakow):
    from wspolnota.consultations.models import Consultation
    from wspolnota.consultations.tests.factories import ConsultationFactory

    announced, draft = ConsultationFactory(), ConsultationFactory()
    Consultation.objects.filter(pk=announced.pk).update(
        published_at=datetime(2026, 1, 5, 9, tzinfo=UTC), report_published_at=None
    )
    Consultation.objects.filter(pk=draft.pk).update(published_at=None)
    dataset = _datasets(client)["konsultacje"]
    paths = _paths(dataset)
    assert "api/consultations" in paths
    assert f"api/consultations/{announced.pk}/remarks" in paths
    assert f"api/consultations/{draft.pk}/remarks" not in paths
    assert client.get(f"/api/consultations/{announced.pk}/remarks").status_code == 200


@pytest.mark.django_db
def test_each_dataset_is_modified_when_its_own_data_changed(client, strategy, krakow):
    from wspolnota.community.models import Place
    from wspolnota.community.tests.factories import PlaceFactory
    from wspolnota.monitoring.models import Indicator, Measurement, Method, Status

    Measurement.objects.filter(method=Method.STRATEGY).update(
        decided_at=datetime(2025, 1, 10, 8, tzinfo=UTC)
    )
    Measurement.objects.create(
        indicator=Indicator.objects.get(code="pomoc-spoleczna"),
        year=2025,
        value=3,
        source="MOPS",
        reference_date=datetime(2025, 12, 31).date(),
        method=Method.MANUAL,
        status=Status.APPROVED,
        decided_at=datetime(2026, 2, 3, 8, tzinfo=UTC),
    )
    place = PlaceFactory(district=krakow[1])
    Place.objects.filter(pk=place.pk).update(updated_at=datetime(2026, 5, 20, 8, tzinfo=UTC))
    datasets = _datasets(client)
    assert datasets["strategia-cel-v-wskazniki"]["dct:modified"]["@value"].startswith("2026-02-03")
    assert datasets["miejsca-spolecznosci"]["dct:modified"]["@value"].startswith("2026-05-20")
    # the district values were never given: not "modified" at the last approval
    districts = datasets["strategia-cel-v-dzielnice"].get("dct:modified", {}).get("@value", "")
    assert not districts.startswith("2026-02-03")


@pytest.mark.django_db
def test_every_dataset_iri_resolves_to_its_page(client, strategy, krakow):
    for identifier, dataset in _datasets(client).items():
        iri = dataset["@id"]
        path = "/" + iri.split("/", 3)[3]
        response = client.get(path)
        assert response.status_code == 303, identifier
        page = client.get(response["Location"])
        assert page.status_code == 200, identifier
        assert dataset["dct:title"][0]["@value"] in page.content.decode()
        assert dataset["dcat:landingPage"]["@id"].endswith(response["Location"])
    assert client.get("/dane/nie-ma-takiego-zbioru").status_code == 404


@pytest.mark.django_db
def test_the_catalogue_conforms_to_the_dcat_ap_3_shapes(client, strategy, krakow):
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    data = rdflib.Graph().parse(
        data=client.get("/api/monitoring/catalog").content.decode(), format="json-ld"
    )
    shapes = rdflib.Graph()
    for path in dcat_ap_shapes():
        shapes.parse(path, format="turtle")
    # The 3.0.1 release's ranges.ttl names five property shapes that it never defines (no triple
    # at all, so they constrain nothing); pySHACL refuses such a graph, so they are left out.
    dangling = [
        (shape, SH.property, prop)
        for shape, prop in shapes.subject_objects(SH.property)
        if (prop, SH.path, None) not in shapes
    ]
    assert len(dangling) == 5
    for triple in dangling:
        shapes.remove(triple)
    conforms, _graph, report = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert conforms, report


def test_the_dcat_ap_shapes_are_vendored_with_their_attribution():
    assert all(path.exists() for path in dcat_ap_shapes())
    source = (dcat_ap_shapes()[0].parent / "SOURCE.md").read_text()
    assert "CC BY 4.0" in source or "CC-BY-4.0" in source


@pytest.mark.django_db
def test_the_catalogue_lists_every_published_dataset_with_the_ballots_and_each_download_works(
    client, strategy, krakow
):
    """Budget results AND the counted ballots of each pool (.pb), turnout, consultations and
    their remarks, places, indicators and districts: each listed with its modification date, and
    every download address answers. Before, the ballots were not in the catalogue."""
    from django.utils import timezone

    from wspolnota.community.tests.factories import PlaceFactory
    from wspolnota.consultations.tests.factories import ConsultationFactory, RemarkFactory
    from wspolnota.voting import services as voting
    from wspolnota.voting.models import PoolResult
    from wspolnota.voting.tests.factories import close_vote, make_voting_edition

    edition = close_vote(make_voting_edition(districts=krakow, year=2025))
    voting.edition_count(actor=None, edition=edition, at=timezone.now(), witnesses="Komisja")
    voting.results_publish(actor=None, edition=edition, at=timezone.now())
    consultation = ConsultationFactory()
    RemarkFactory(consultation=consultation)
    PlaceFactory(district=krakow[1])

    datasets = _datasets(client)
    assert {
        "strategia-cel-v-wskazniki",
        "strategia-cel-v-dzielnice",
        "dzielnice",
        "budzet-obywatelski-projekty",
        "budzet-obywatelski-wyniki",
        "konsultacje",
        "miejsca-spolecznosci",
    } <= set(datasets)
    results = _paths(datasets["budzet-obywatelski-wyniki"])
    pools = PoolResult.objects.filter(count__edition=edition).values_list("pool_id", flat=True)
    assert pools
    assert {f"pl/glosowanie/2025/dane/pula-{pool}.pb" for pool in pools} <= results
    assert "pl/glosowanie/2025/dane/frekwencja.csv" in results
    for identifier, dataset in datasets.items():
        assert dataset.get("dct:modified", {}).get("@value"), identifier
        for path in sorted(_paths(dataset)):
            response = client.get("/" + path)
            assert response.status_code == 200, path
