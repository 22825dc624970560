"""Open data: the indicators as CSV, JSON and GeoJSON, and a DCAT-AP catalogue (JSON-LD).

The catalogue describes the platform's datasets for the national open-data portal to harvest.
Besides this app's own datasets it lists those any app declares on its AppConfig as
``open_datasets = [{"identifier": …, "title": _("…"), "description": _("…"), "keywords": […],
"distributions": [{"url_name": "<namespace:name>" or "path": "/api/…", "format": "CSV"}]}]``,
collected at run time like ``nav_items``; a distribution whose URL does not resolve is left out.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from wspolnota.monitoring import conf, selectors
from wspolnota.monitoring.models import Measurement, Status
from wspolnota.territory.selectors import default_city, district_list

EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
# The EU data-theme vocabulary's own labels: DCAT-AP requires a theme concept to carry one.
EU_THEME_LABELS = {
    "GOVE": ("Rząd i sektor publiczny", "Government and public sector"),
    "REGI": ("Regiony i miasta", "Regions and cities"),
    "SOCI": ("Ludność i społeczeństwo", "Population and society"),
}
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "PDF": "application/pdf",
    "JSON_LD": "application/ld+json",
    "TXT": "text/plain",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LANGUAGE_URIS = {"pl": "POL", "en": "ENG", "uk": "UKR"}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _measurement_dict(m: Measurement) -> dict[str, Any]:
    return {
        "year": m.year,
        "district": m.district.number if m.district else None,
        "district_name": m.district.name if m.district else None,
        "value": _number(m.value),
        "numerator": _number(m.numerator),
        "denominator": _number(m.denominator),
        "ci_low": _number(m.ci_low),
        "ci_high": _number(m.ci_high),
        "source": m.source,
        "source_url": m.source_url,
        "reference_date": m.reference_date.isoformat(),
        "method": m.method,
        "series": m.series_key,
        "coverage": m.coverage,
        # sample data of a demonstration platform, never the city's figures
        "demo": m.demo,
        "approved_at": m.decided_at.isoformat() if m.decided_at else None,
    }


def indicators_payload() -> dict[str, Any]:
    """Each indicator with its 2016, 2022 and target values as the strategy states them, the
    platform's assessment, and every approved measurement (city-wide and by district)."""
    views = selectors.indicator_views()
    rows: dict[int, list[Measurement]] = {}
    for measurement in selectors.approved_measurements():
        rows.setdefault(measurement.indicator_id, []).append(measurement)
    indicators = []
    for view in views:
        indicator = view.indicator
        indicators.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "measures": indicator.measures,
                "footnote": indicator.footnote,
                "operational_goal": indicator.node.code,
                "unit": indicator.unit,
                "value_2016": {
                    "text": indicator.baseline_text,
                    "value": _number(indicator.baseline_value),
                    "year": indicator.baseline_year,
                },
                "value_2022": {
                    "text": indicator.value_2022_text,
                    "value": _number(indicator.value_2022),
                    "year": 2022,
                },
                "target": {
                    "text": indicator.target_text,
                    "kind": indicator.target_kind,
                    "value": _number(indicator.target_value),
                    "year": indicator.target_year,
                },
                "assessment": {
                    "status": view.assessment.status,
                    "explanation": view.assessment.explanation,
                    "projected_target_year_value": view.assessment.projected,
                },
                "measurements": [_measurement_dict(m) for m in rows.get(indicator.pk, [])],
            }
        )
    return {
        "title": "Strategia Rozwoju Krakowa 2030 – Cel strategiczny V: wskaźniki",
        "licence": conf.open_data_licence(),
        "generated_at": timezone.now().isoformat(),
        "indicators": indicators,
    }


CSV_HEADER = [
    "wskaznik",
    "nazwa",
    "jednostka",
    "rok",
    "dzielnica",
    "nazwa_dzielnicy",
    "wartosc",
    "licznik",
    "mianownik",
    "przedzial_od",
    "przedzial_do",
    "zrodlo",
    "adres_zrodla",
    "stan_na",
    "sposob",
    "seria",
    "zakres",
    "dane_demonstracyjne",
]


def indicators_csv() -> str:
    """Every approved measurement, one per line, numbers with a decimal point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)

    def cell(value: Decimal | None) -> str:
        return "" if value is None else format(value.normalize(), "f")

    for m in selectors.approved_measurements():
        writer.writerow(
            [
                m.indicator.code,
                m.indicator.name,
                m.indicator.unit,
                m.year,
                m.district.number if m.district else "",
                m.district.name if m.district else "",
                cell(m.value),
                cell(m.numerator),
                cell(m.denominator),
                cell(m.ci_low),
                cell(m.ci_high),
                m.source,
                m.source_url,
                m.reference_date.isoformat(),
                m.method,
                m.series_key,
                m.coverage,
                "tak" if m.demo else "nie",
            ]
        )
    return out.getvalue()


def districts_geojson() -> dict[str, Any]:
    """Districts with the latest approved district value of each indicator that has one."""
    latest: dict[str, dict[int, Measurement]] = {}
    for m in selectors.approved_measurements().filter(district__isnull=False):
        assert m.district is not None
        current = latest.setdefault(m.indicator.code, {}).get(m.district.number)
        if current is None or m.year >= current.year:
            latest[m.indicator.code][m.district.number] = m
    features = []
    for district in district_list(city=default_city()):
        properties: dict[str, Any] = {
            "number": district.number,
            "roman": district.roman,
            "name": district.name,
            "population": district.population,
            "population_date": district.population_date.isoformat(),
        }
        for code, values in sorted(latest.items()):
            m = values.get(district.number)
            if m is not None:
                properties[code] = _number(m.value)
                properties[f"{code}_rok"] = m.year
                properties[f"{code}_demo"] = m.demo
        features.append(
            {"type": "Feature", "properties": properties, "geometry": district.geometry}
        )
    return {"type": "FeatureCollection", "features": features}


# --- DCAT-AP --------------------------------------------------------------------------------------


def _latest(*values: datetime | date | None) -> datetime | date | None:
    """The newest of some dates and date-times (dates count as their midnight)."""

    def key(value: datetime | date) -> datetime:
        if isinstance(value, datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        return timezone.make_aware(datetime.combine(value, datetime.min.time()))

    present = [v for v in values if v is not None]
    return max(present, key=key) if present else None


def _indicators_modified() -> datetime | date | None:
    return Measurement.objects.filter(status=Status.APPROVED).aggregate(m=Max("decided_at"))["m"]


def _district_values_modified() -> datetime | date | None:
    return _latest(
        Measurement.objects.filter(status=Status.APPROVED, district__isnull=False).aggregate(
            m=Max("decided_at")
        )["m"],
        _districts_modified(),
    )


def _districts_modified() -> datetime | date | None:
    from wspolnota.territory.models import District

    row = District.objects.aggregate(updated=Max("updated_at"), population=Max("population_date"))
    return _latest(row["updated"], row["population"])


OWN_DATASETS: list[dict[str, Any]] = [
    {
        "identifier": "strategia-cel-v-wskazniki",
        "title": gettext_lazy("Wskaźniki realizacji Celu strategicznego V strategii „Kraków 2030”"),
        "description": gettext_lazy(
            "Pięć wskaźników celu „Silna wspólnota samorządowa mieszkańców Krakowa”: wartości z 2016 i 2022 "
            "roku, wartości docelowe na 2030 rok i zatwierdzone pomiary kolejnych lat, także w podziale na dzielnice."
        ),
        "keywords": [
            "strategia",
            "wskaźniki",
            "partycypacja",
            "budżet obywatelski",
            "seniorzy",
            "organizacje pozarządowe",
        ],
        "theme": "GOVE",
        "modified": _indicators_modified,
        "distributions": [
            {"url_name": "monitoring:indicators_csv", "format": "CSV"},
            {"url_name": "monitoring:indicators_json", "format": "JSON"},
            {"path": "/api/monitoring/indicators", "format": "JSON"},
        ],
    },
    {
        "identifier": "strategia-cel-v-dzielnice",
        "title": gettext_lazy("Wskaźniki strategii w podziale na dzielnice"),
        "description": gettext_lazy(
            "Granice dzielnic z najnowszymi wartościami wskaźników, które platforma liczy dla każdej dzielnicy."
        ),
        "keywords": ["dzielnice", "wskaźniki", "frekwencja"],
        "theme": "REGI",
        "modified": _district_values_modified,
        "distributions": [{"url_name": "monitoring:districts_geojson", "format": "GEOJSON"}],
    },
    {
        "identifier": "dzielnice",
        "title": gettext_lazy("Dzielnice: granice, powierzchnia i liczba mieszkańców"),
        "description": gettext_lazy(
            "Dzielnice miasta z granicami (GeoJSON), powierzchnią i liczbą mieszkańców z datą i źródłem."
        ),
        "keywords": ["dzielnice", "granice", "ludność"],
        "theme": "REGI",
        "modified": _districts_modified,
        "distributions": [{"path": "/api/districts", "format": "JSON"}],
    },
]


def _budget_datasets() -> list[dict[str, Any]]:
    """The participatory budget's public editions, read through the budget app's own selector."""
    try:
        from wspolnota.budget.selectors import edition_list
    except ImportError:
        return []
    from wspolnota.budget.models import Project

    distributions: list[dict[str, Any]] = [{"path": "/api/budget/editions", "format": "JSON"}]
    editions = edition_list(viewer=None)
    for year in editions.values_list("year", flat=True):
        # the public API, not the CSV/XLSX lists: those are for the coordinating unit (issue 15)
        distributions.append(
            {
                "path": f"/api/budget/editions/{year}/projects",
                "format": "JSON",
                "suffix": f"{year}-projekty",
            }
        )

    def modified() -> datetime | date | None:
        return _latest(
            editions.aggregate(m=Max("updated_at"))["m"],
            Project.objects.filter(edition__in=editions).aggregate(m=Max("updated_at"))["m"],
        )

    return [
        *_budget_results_datasets(),
        {
            "identifier": "budzet-obywatelski-projekty",
            "title": gettext_lazy("Budżet obywatelski: edycje i zgłoszone projekty"),
            "description": gettext_lazy(
                "Edycje budżetu obywatelskiego z etapami i pulami oraz projekty każdej edycji "
                "(tytuł, pula, kategoria, koszt, stan weryfikacji)."
            ),
            "keywords": ["budżet obywatelski", "projekty", "partycypacja"],
            "theme": "GOVE",
            "modified": modified,
            "distributions": distributions,
        },
    ]


def _budget_results_datasets() -> list[dict[str, Any]]:
    """The vote's results, turnout and counted ballots (.pb) of every edition whose results are
    published, read through the voting app's own selectors."""
    try:
        from wspolnota.budget.models import Edition
        from wspolnota.voting.models import PoolResult, VotingRules
        from wspolnota.voting.selectors import published_count, results_visible
    except ImportError:
        return []
    now = timezone.now()
    distributions: list[dict[str, Any]] = []
    published: list[datetime] = []
    for edition in (
        Edition.objects.filter(voting_rules__results_published_at__isnull=False)
        .select_related("voting_rules")
        .prefetch_related("phases")
        .order_by("year")
    ):
        if not results_visible(edition, at=now):
            continue
        rules: VotingRules = edition.voting_rules  # type: ignore[attr-defined]
        if rules.results_published_at:
            published.append(rules.results_published_at)
        for kind, name in (
            ("JSON", "voting:results_json"),
            ("CSV", "voting:results_csv"),
        ):
            distributions.append(
                {
                    "url_name": name,
                    "kwargs": {"vote_year": edition.year},
                    "format": kind,
                    "suffix": edition.year,
                }
            )
        distributions.append(
            {
                "url_name": "voting:turnout_csv",
                "kwargs": {"vote_year": edition.year},
                "format": "CSV",
                "suffix": f"{edition.year}-frekwencja",
            }
        )
        count = published_count(edition=edition)
        pools = (
            PoolResult.objects.filter(count=count)
            .order_by("pool__kind", "pool__district__number", "pool_id")
            .values_list("pool_id", flat=True)
            if count is not None
            else []
        )
        for pool in pools:
            # the counted ballots of each pool (Pabulib .pb, plain text): with the published
            # seed, anyone recounts them with votecount
            distributions.append(
                {
                    "url_name": "voting:open_data_pb",
                    "kwargs": {"vote_year": edition.year, "vote_pool": pool},
                    "format": "TXT",
                    "extension": "pb",
                    "suffix": f"{edition.year}-karty-pula-{pool}",
                }
            )
    if not distributions:
        return []
    return [
        {
            "identifier": "budzet-obywatelski-wyniki",
            "title": gettext_lazy("Budżet obywatelski: wyniki głosowania i frekwencja"),
            "description": gettext_lazy(
                "Wyniki głosowania w budżecie obywatelskim (głosy na projekty, projekty wybrane), "
                "frekwencja w dzielnicach i policzone karty do głosowania każdej puli (format "
                "Pabulib .pb, bez danych osobowych), dla każdej edycji z ogłoszonymi wynikami."
            ),
            "keywords": ["budżet obywatelski", "głosowanie", "wyniki", "frekwencja"],
            "theme": "GOVE",
            "modified": lambda: max(published) if published else None,
            "distributions": distributions,
        }
    ]


def _places_modified() -> datetime | date | None:
    try:
        from wspolnota.community.models import Place
    except ImportError:
        return None
    return Place.objects.aggregate(m=Max("updated_at"))["m"]


def _places_datasets() -> list[dict[str, Any]]:
    """Community places (served by the community app's API), Senior Activity Centres apart."""
    return [
        {
            "identifier": "miejsca-spolecznosci",
            "title": gettext_lazy("Miejsca aktywności mieszkańców"),
            "description": gettext_lazy(
                "Centra Aktywności Seniorów, domy kultury, biblioteki i inne miejsca spotkań: adres, "
                "dzielnica, położenie, prowadzący i dostępność."
            ),
            "keywords": ["miejsca", "seniorzy", "Centra Aktywności Seniorów", "dostępność"],
            "theme": "SOCI",
            "frequency": "IRREG",
            "modified": _places_modified,
            "distributions": [
                {"path": "/api/places", "format": "JSON"},
                {"path": "/api/places?kind=senior-centre", "format": "JSON"},
            ],
        }
    ]


def _consultation_datasets() -> list[dict[str, Any]]:
    """Published reports of public consultations, read through the consultations app's selector."""
    try:
        from wspolnota.consultations.selectors import consultation_list
    except ImportError:
        return []
    from wspolnota.consultations.models import Remark

    announced = consultation_list(viewer=None, at=timezone.now())
    announced_ids = list(announced.order_by("-published_at", "-pk").values_list("pk", flat=True))
    published = (
        announced.filter(report_published_at__isnull=False)
        .order_by("-report_published_at")
        .values_list("pk", flat=True)
    )

    def announced_modified() -> datetime | date | None:
        return _latest(
            announced.aggregate(m=Max("updated_at"))["m"],
            announced.aggregate(m=Max("published_at"))["m"],
            Remark.objects.filter(consultation_id__in=announced_ids).aggregate(m=Max("updated_at"))[
                "m"
            ],
        )

    def reports_modified() -> datetime | date | None:
        return announced.aggregate(m=Max("report_published_at"))["m"]

    consultations: list[dict[str, Any]] = [{"path": "/api/consultations", "format": "JSON"}]
    consultations += [
        {
            "path": f"/api/consultations/{pk}/remarks",
            "format": "JSON",
            "suffix": f"{pk}-uwagi",
        }
        for pk in announced_ids
    ]
    distributions = [
        {
            "url_name": "consultations:report_pdf",
            "kwargs": {"consultation_pk": pk},
            "format": "PDF",
            "suffix": pk,
        }
        for pk in published
    ]
    return [
        {
            "identifier": "konsultacje",
            "title": gettext_lazy("Konsultacje społeczne i zgłoszone uwagi"),
            "description": gettext_lazy(
                "Ogłoszone konsultacje społeczne (przedmiot, terminy, formy, dzielnice) od dnia "
                "ogłoszenia oraz zgłoszone uwagi z odpowiedziami miasta i ich uzasadnieniem."
            ),
            "keywords": ["konsultacje", "partycypacja", "uwagi"],
            "theme": "GOVE",
            "frequency": "IRREG",
            "modified": announced_modified,
            "distributions": consultations,
        },
        {
            "identifier": "konsultacje-raporty",
            "title": gettext_lazy("Konsultacje społeczne: raporty"),
            "description": gettext_lazy(
                "Raporty z konsultacji społecznych: przebieg, formy, zgłoszone uwagi i odpowiedzi na nie."
            ),
            "keywords": ["konsultacje", "partycypacja", "raporty"],
            "theme": "GOVE",
            "frequency": "IRREG",
            "modified": reports_modified,
            "distributions": distributions,
        },
    ]


def _declared_datasets() -> list[dict[str, Any]]:
    found = list(OWN_DATASETS) + _budget_datasets() + _places_datasets() + _consultation_datasets()
    for config in apps.get_app_configs():
        if config.label == "monitoring":
            continue
        found.extend(getattr(config, "open_datasets", []) or [])
    return found


def _distribution_url(item: dict[str, Any]) -> str | None:
    if "path" in item:
        from django.urls import Resolver404, resolve

        try:
            resolve(str(item["path"]).split("?", 1)[0])
        except Resolver404:
            return None
        return str(item["path"])
    with translation.override(settings.LANGUAGE_CODE):
        try:
            return reverse(item["url_name"], kwargs=item.get("kwargs"))
        except NoReverseMatch:
            return None


def dataset_list(request: HttpRequest | None = None) -> list[dict[str, Any]]:
    """Every declared dataset whose distributions resolve, with absolute download addresses."""
    result = []
    for dataset in _declared_datasets():
        distributions = []
        for item in dataset.get("distributions", []):
            path = _distribution_url(item)
            if path is None:
                continue
            distributions.append({**item, "url": settings.SITE_URL + path, "path": path})
        if distributions:
            result.append({**dataset, "distributions": distributions})
    return result


def _texts(value: Any) -> list[dict[str, str]]:
    texts = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.append({"@language": code, "@value": str(value)})
    return texts


def dataset_modified(dataset: dict[str, Any]) -> datetime | date | None:
    """When the dataset's own data last changed (its ``modified`` callable), or None."""
    function = dataset.get("modified")
    if not callable(function):
        return None
    value = function()
    return value if isinstance(value, (date, datetime)) else None


def _literal(value: datetime | date) -> dict[str, str]:
    if isinstance(value, datetime):
        return {"@value": value.isoformat(), "@type": "xsd:dateTime"}
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def dataset_iri(identifier: str) -> str:
    """The dataset's IRI: ``/dane/<identifier>`` redirects (303) to its page."""
    return f"{settings.SITE_URL}/dane/{identifier}"


def dataset_page_path(identifier: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("monitoring:dataset_detail", kwargs={"dataset_id": identifier})


def dataset_get(identifier: str, request: HttpRequest | None = None) -> dict[str, Any] | None:
    for dataset in dataset_list(request):
        if dataset["identifier"] == identifier:
            return {**dataset, "modified_at": dataset_modified(dataset)}
    return None


def _ref(iri: str, kind: str) -> dict[str, str]:
    """A reference to a resource with the class DCAT-AP's range shapes require of it."""
    return {"@id": iri, "@type": kind}


def _theme(code: str) -> dict[str, Any]:
    polish, english = EU_THEME_LABELS[code]
    return {
        **_ref(EU_THEME + code, "skos:Concept"),
        "skos:prefLabel": [
            {"@language": "pl", "@value": polish},
            {"@language": "en", "@value": english},
        ],
    }


def dcat_catalogue(request: HttpRequest | None = None) -> dict[str, Any]:
    """A DCAT-AP 2 catalogue of the platform's datasets as JSON-LD."""
    base = settings.SITE_URL
    city = default_city()
    publisher = {
        "@id": f"{base}/#publisher",
        "@type": "foaf:Agent",
        "foaf:name": settings.CITY_NAME if city is None else f"Gmina Miejska {city.name}",
    }
    contact = {
        # vcard:Kind is the range DCAT-AP's shapes check (without inference, so named too).
        "@type": ["vcard:Organization", "vcard:Kind"],
        "vcard:fn": settings.CITY_NAME,
        "vcard:hasEmail": f"mailto:{settings.HELP_EMAIL}",
    }
    licence = conf.open_data_licence()
    datasets = []
    for dataset in dataset_list(request):
        identifier = dataset["identifier"]
        modified = dataset_modified(dataset)
        distributions = []
        for item in dataset["distributions"]:
            kind = item["format"]
            distributions.append(
                {
                    "@id": item["url"],
                    "@type": "dcat:Distribution",
                    "dcat:accessURL": {"@id": item["url"]},
                    "dcat:downloadURL": {"@id": item["url"]},
                    "dct:format": _ref(EU_FILE_TYPE + kind, "dct:MediaTypeOrExtent"),
                    "dcat:mediaType": _ref(
                        "https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[kind],
                        "dct:MediaType",
                    ),
                    "dct:license": _ref(licence, "dct:LicenseDocument"),
                    "dct:title": f"{identifier}{'-' + str(item['suffix']) if item.get('suffix') else ''}.{item.get('extension', kind.lower())}",
                }
            )
        datasets.append(
            {
                "@id": dataset_iri(identifier),
                "@type": "dcat:Dataset",
                "dct:identifier": identifier,
                "dct:title": _texts(dataset["title"]),
                "dct:description": _texts(dataset["description"]),
                "dcat:keyword": [
                    {"@language": "pl", "@value": k} for k in dataset.get("keywords", [])
                ],
                "dcat:theme": _theme(dataset.get("theme", "GOVE")),
                "dct:publisher": {"@id": publisher["@id"]},
                "dcat:contactPoint": contact,
                "dct:accrualPeriodicity": _ref(
                    EU_FREQUENCY + dataset.get("frequency", "ANNUAL"), "dct:Frequency"
                ),
                "dct:language": [
                    _ref(EU_LANGUAGE + LANGUAGE_URIS[code], "dct:LinguisticSystem")
                    for code, _n in settings.LANGUAGES
                ],
                "dct:spatial": _ref(
                    f"https://teryt.stat.gov.pl/{settings.CITY_TERYT}", "dct:Location"
                ),
                "dcat:distribution": distributions,
                "dcat:landingPage": _ref(base + dataset_page_path(identifier), "foaf:Document"),
                **({"dct:modified": _literal(modified)} if modified else {}),
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{base}/api/monitoring/catalog",
        "@type": "dcat:Catalog",
        "dct:title": _texts(gettext_lazy("Dane otwarte platformy Wspólnota")),
        "dct:description": _texts(
            gettext_lazy(
                "Zbiory danych platformy udziału mieszkańców: wskaźniki strategii, dzielnice i dane modułów platformy."
            )
        ),
        "dct:publisher": publisher,
        "foaf:homepage": _ref(base + "/", "foaf:Document"),
        "dct:language": [
            _ref(EU_LANGUAGE + LANGUAGE_URIS[code], "dct:LinguisticSystem")
            for code, _n in settings.LANGUAGES
        ],
        "dct:license": _ref(licence, "dct:LicenseDocument"),
        "dcat:dataset": datasets,
    }
