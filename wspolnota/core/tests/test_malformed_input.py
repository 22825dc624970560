"""The malformed inputs of issue 15, each sent as an attacker would: a 400/422 with a translated
message or a form error that keeps the rest of the input, never a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from wspolnota.core.parsing import (
    API_MAX_PAGE_SIZE,
    InputError,
    parse_choice,
    parse_decimal,
    parse_id,
    parse_int,
    parse_page,
    parse_per_page,
    total_forms,
)

HUGE = "9223372036854775808"


@pytest.fixture
def anonymous() -> Client:
    return Client(raise_request_exception=False)


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


# --- the shared parsers ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "١٢", "1.5", "1e3", "0x10", "1 2", "--1", "1\x00", "x" * 50])
def test_parse_int_rejects_what_is_not_ascii_digits(raw):
    with pytest.raises(InputError):
        parse_int(raw)


@pytest.mark.parametrize("raw", [HUGE, "-" + HUGE, "99999999999999999999999"])
def test_parse_int_rejects_numbers_no_column_can_hold(raw):
    with pytest.raises(InputError):
        parse_int(raw)


def test_parse_int_reads_digits_and_applies_the_default_and_bounds():
    assert parse_int(" 42 ") == 42
    assert parse_int("-3") == -3
    assert parse_int("", default=None) is None
    assert parse_int(None, default=7) == 7
    with pytest.raises(InputError):
        parse_int("")
    with pytest.raises(InputError):
        parse_int("11", max_value=10)
    with pytest.raises(InputError):
        parse_id("0")
    assert parse_id("9223372036854775807") == 2**63 - 1


def test_parse_page_and_per_page_keep_to_their_bounds():
    assert parse_page(None) == 1
    assert parse_page("3") == 3
    with pytest.raises(InputError):
        parse_page("0")
    with pytest.raises(InputError):
        parse_page(HUGE)
    assert parse_per_page("", allowed=(25, 50), default=25) == 25
    assert parse_per_page("50", allowed=(25, 50), default=25) == 50
    with pytest.raises(InputError):
        parse_per_page("100000000", allowed=(25, 50), default=25)
    with pytest.raises(InputError):
        parse_per_page("²", allowed=(25, 50), default=25)


def test_parse_decimal_and_choice():
    assert parse_decimal("1250,50") == Decimal("1250.50")
    assert parse_decimal("", default=None) is None
    for raw in ("NaN", "Infinity", "1e400", "²", "1" * 30):
        with pytest.raises(InputError):
            parse_decimal(raw)
    with pytest.raises(InputError):
        parse_decimal("5", max_value=Decimal("1"))
    assert parse_choice("b", ["a", "b"]) == "b"
    assert parse_choice("", ["a"], default="a") == "a"
    with pytest.raises(InputError):
        parse_choice("c", ["a", "b"])


def test_the_error_message_is_translated():
    from django.utils import translation

    with translation.override("en"):
        try:
            parse_int("²", field="page")
        except InputError as exc:
            english = str(exc)
    with translation.override("uk"):
        try:
            parse_int("²", field="page")
        except InputError as exc:
            ukrainian = str(exc)
    assert english != ukrainian
    assert "0–9" in english


def test_total_forms_reads_only_a_number():
    assert total_forms({"cost-TOTAL_FORMS": "3"}, "cost") == 3
    assert total_forms({"cost-TOTAL_FORMS": "²"}, "cost") is None
    assert total_forms({"cost-TOTAL_FORMS": HUGE}, "cost") is None
    assert total_forms({}, "cost") is None


# --- the JSON API ---------------------------------------------------------------------------

PAGINATED = [
    "/api/organisations",
    "/api/budget/editions/{year}/projects",
    "/api/consultations/{consultation}/remarks",
    "/api/grants/awards",
    "/api/implementations",
]


@pytest.fixture
def api_paths(request, krakow):
    from wspolnota.budget.tests.url_samples import url_samples as budget_samples
    from wspolnota.consultations.tests.url_samples import url_samples as consultation_samples

    year = budget_samples(request)["bo_year"]
    consultation = consultation_samples(request)["consultation_pk"]
    return [p.format(year=year, consultation=consultation) for p in PAGINATED]


@pytest.mark.django_db
def test_api_page_size_and_offset_are_bounded_with_a_translated_422(api_paths, anonymous):
    queries = [
        {"limit": HUGE},
        {"offset": HUGE},
        {"limit": "100000000"},
        {"limit": "0"},
        {"offset": "-1"},
        {"limit": "²"},
    ]
    for path in api_paths:
        for query in queries:
            response = anonymous.get(path, query, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 422, (path, query, response.status_code)
            body = response.json()
            assert body["detail"] == "Invalid data in the request.", body
            assert body["errors"][0]["field"] in ("limit", "offset"), body
            assert body["errors"][0]["message"].startswith("Enter"), body


@pytest.mark.django_db
def test_api_largest_page_still_works(api_paths, anonymous):
    for path in api_paths:
        response = anonymous.get(path, {"limit": API_MAX_PAGE_SIZE, "offset": 0})
        assert response.status_code == 200, path


@pytest.mark.django_db
def test_projects_api_pool_in_unicode_digits_is_a_translated_400(request, krakow, anonymous):
    from wspolnota.budget.tests.url_samples import url_samples

    year = url_samples(request)["bo_year"]
    response = anonymous.get(
        f"/api/budget/editions/{year}/projects", {"pool": "²"}, HTTP_ACCEPT_LANGUAGE="uk"
    )
    assert response.status_code == 400
    assert "0–9" in response.json()["detail"]
    assert anonymous.get(f"/api/budget/editions/{year}/projects", {"pool": "1"}).status_code == 200


@pytest.mark.django_db
def test_implementations_api_district_in_unicode_digits_is_a_400(krakow, anonymous):
    response = anonymous.get("/api/implementations", {"district": "²"})
    assert response.status_code == 400
    assert response.json()["detail"]


# --- pages and forms ------------------------------------------------------------------------


@pytest.mark.django_db
def test_catalogue_per_page_that_is_not_an_offered_size_is_a_translated_400(request, krakow):
    from wspolnota.budget.tests.url_samples import url_samples

    year = url_samples(request)["bo_year"]
    client = _client()
    for per_page in ("²", HUGE, "100000000", "7"):
        response = client.get(f"/en/budzet-obywatelski/{year}/projekty/", {"per_page": per_page})
        assert response.status_code == 400, per_page
        text = response.content.decode()
        assert any(
            message in text
            for message in ("digits 0–9", "allowed values: 25, 50, 100", "from 1 to 100")
        ), per_page
    assert client.get(f"/en/budzet-obywatelski/{year}/projekty/?per_page=50").status_code == 200


@pytest.mark.django_db
def test_catalogue_pool_in_unicode_digits_is_no_server_error(request, krakow):
    from wspolnota.budget.tests.url_samples import url_samples

    year = url_samples(request)["bo_year"]
    response = _client().get(f"/pl/budzet-obywatelski/{year}/projekty/", {"pool": "²"})
    assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("statement", ["²", HUGE, "-1"])
def test_opinion_map_vote_on_a_malformed_statement_is_a_400(request, krakow, resident, statement):
    from wspolnota.consultations.tests.url_samples import url_samples

    consultation = url_samples(request)["consultation_pk"]
    response = _client(resident).post(
        f"/pl/konsultacje/{consultation}/mapa-opinii/", {"statement": statement, "choice": "1"}
    )
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("krs", ["²²²²", "١٢٣٤٥"])
def test_registering_an_organisation_with_a_non_ascii_krs_is_a_form_error(krakow, ngo_member, krs):
    response = _client(ngo_member).post(
        "/pl/organizacje/zarejestruj/",
        {"kind": "ngo", "name": "Fundacja Zielony Kraków", "krs": krs, "legal_form": ""},
    )
    assert response.status_code == 400
    assert "Fundacja Zielony Kraków" in response.content.decode()
    assert "krs" in response.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("total", ["²", "abc", HUGE])
def test_a_non_numeric_cost_total_forms_is_a_form_error_keeping_the_input(
    request, krakow, resident, total
):
    from wspolnota.budget.tests.url_samples import url_samples

    year = url_samples(request)["bo_year"]
    response = _client(resident).post(
        f"/pl/budzet-obywatelski/{year}/zglos-projekt/",
        {
            "title": "Ławki na Plantach",
            "add_row": "1",
            "cost-TOTAL_FORMS": total,
            "cost-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (200, 400)
    assert "Ławki na Plantach" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("district", [HUGE, "-" + HUGE, "²"])
def test_an_out_of_range_district_on_the_subscription_form_is_a_form_error(
    krakow, anonymous, district
):
    response = anonymous.post(
        "/pl/ogloszenia/subskrypcja/",
        {
            "channel": "email",
            "email": "ala@example.org",
            "language": "pl",
            "districts": [district],
            "consent": "on",
        },
    )
    assert response.status_code in (200, 400)
    assert "districts" in response.context["form"].errors
    assert "ala@example.org" in response.content.decode()


@pytest.mark.django_db
def test_an_out_of_range_id_in_a_multiple_choice_matches_nothing(krakow):
    from wspolnota.territory.models import District

    assert list(District.objects.filter(pk__in=[int(HUGE)])) == []
    assert District.objects.filter(pk__in=[int(HUGE), krakow[1].pk]).get() == krakow[1]


@pytest.mark.django_db
def test_display_settings_with_a_next_that_is_no_url_goes_home(anonymous):
    response = anonymous.post("/pl/wyglad/", {"next": HUGE, "large_text": "on"})
    assert response.status_code == 302
    assert response["Location"] in (HUGE, "/")


@pytest.mark.django_db
@pytest.mark.parametrize("cancel", ["²", HUGE])
def test_cancelling_a_subscription_with_a_malformed_id_is_a_400(resident, cancel):
    response = _client(resident).post("/pl/ogloszenia/moje-subskrypcje/", {"cancel": cancel})
    assert response.status_code == 400


@pytest.mark.parametrize("total", ["0", "1", "5", "²", HUGE])
def test_a_fixed_rows_formset_keeps_one_form_per_row_whatever_total_forms_says(total):
    from django import forms

    from wspolnota.core.forms import FixedRowsFormSet

    class Line(forms.Form):
        amount = forms.DecimalField()

    formset_class = forms.formset_factory(Line, formset=FixedRowsFormSet, extra=0)
    data = {"budget-TOTAL_FORMS": total, "budget-INITIAL_FORMS": "2", "budget-0-amount": "1"}
    formset = formset_class(data, initial=[{"amount": 1}, {"amount": 2}], prefix="budget")
    assert len(formset.forms) == 2
    formset.is_valid()  # a tampered management form is a form error, never an exception


@pytest.mark.django_db
def test_a_nul_character_anywhere_in_the_request_is_a_translated_400(client):
    # PostgreSQL refuses text with NUL: before, these reached the database and were 500s there.
    assert client.get("/pl/dziennik-zdarzen/", {"action": "1\x00"}).status_code == 400
    assert client.get("/api/places/1\x00/activities").status_code == 400
    response = client.get("/uk/", {"q": "a\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
