"""The ballot a person can use (issue 16): projects with cost, summary and card link, search and
category filter without JavaScript, pick and remove buttons that keep the picks in the POST body
(never in a URL, the session or the database), the picks left, the district changeable until the
cast, and a review page with cost and 3-2-1 points per pick."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wspolnota.budget.models import Project
from wspolnota.budget.tests.factories import pool_for
from wspolnota.voting.models import VoterDistrict
from wspolnota.voting.tests.factories import (
    cast_online,
    confirmed,
    identity_of,
    make_pesel,
    on_ballot,
)
from wspolnota.voting.tests.test_online_vote import _identity, _signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def voter(voting_edition, krakow, resident) -> Client:
    """A resident past the identity and phone steps, on the ballot page."""
    city = on_ballot(voting_edition, None)
    Project.objects.filter(pk=city[0].pk).update(
        category="environment", short_description="Sto nowych drzew wzdłuż Wisły i łąka kwietna."
    )
    Project.objects.filter(pk=city[1].pk).update(category="sport", title="Siłownia pod chmurką")
    from wspolnota.voting import services

    services.ballot_cache_clear()
    confirmed(resident)
    client = _signed_in(resident)
    assert _identity(client, voting_edition, krakow[1], make_pesel(7)).status_code == 302
    return client


def _listed(page: str, pool_pk: int) -> str:
    """The project list of one pool's fieldset (not its place drop-downs)."""
    fieldset = page.split(f'id="pool-{pool_pk}"')[1].split("</fieldset>")[0]
    return fieldset.split('class="plain ballot-projects"')[1].split("</ul>")[0]


def _url(edition) -> str:
    return reverse("voting:vote_ballot", args=[edition.year])


def test_the_ballot_lists_each_pools_projects_with_cost_summary_card_link_and_picks_left(
    voter, voting_edition
):
    page = voter.get(_url(voting_edition)).content.decode()
    first = on_ballot(voting_edition, None)[0]
    assert "100\xa0000,00 zł" in page or "100 000,00 zł" in page
    assert "Sto nowych drzew wzdłuż Wisły" in page
    assert reverse("budget:project_detail", args=[first.pk]) in page
    assert page.count('class="ballot-pool"') == 2 and page.count("<legend>") >= 2
    assert page.count(
        'role="status"'
    ) >= 2 and "Pozostało wyborów: <strong data-left>3</strong>" in (page)


def test_search_and_category_filter_work_without_javascript_and_keep_the_picks(
    voter, voting_edition
):
    city = on_ballot(voting_edition, None)
    cp = pool_for(voting_edition, None).pk
    # a plain GET filters
    page = voter.get(_url(voting_edition), {f"category_{cp}": "sport"}).content.decode()
    listed = _listed(page, cp)
    assert "Siłownia pod chmurką" in listed and "Projekt OM 3" not in listed
    # a pick, then a search (without Polish letters) in the same form: the pick stays
    picked = voter.post(_url(voting_edition), {"_pick": f"{cp}:{city[2].pk}"}).content.decode()
    assert "Twój wybór: miejsce 1 (3 pkt)" in picked
    searched = voter.post(
        _url(voting_edition),
        {f"pool_{cp}_1": city[2].pk, f"q_{cp}": "silownia", "_filter": cp},
    )
    body = searched.content.decode()
    assert searched.status_code == 200
    assert (
        "Siłownia pod chmurką" in body and "Pozostało wyborów: <strong data-left>2</strong>" in body
    )
    assert f'<option value="{city[2].pk}" selected>' in body
    assert "Projekty w puli: 1 z 4." in body


def test_pick_buttons_fill_places_in_order_and_refuse_a_fourth(voter, voting_edition):
    city = on_ballot(voting_edition, None)
    cp = pool_for(voting_edition, None).pk
    data: dict[str, object] = {}
    for project in city[:3]:
        response = voter.post(_url(voting_edition), {**data, "_pick": f"{cp}:{project.pk}"})
        body = response.content.decode()
        data = {f"pool_{cp}_{r}": "" for r in (1, 2, 3)}
        for rank, chosen in enumerate(city[: city.index(project) + 1], start=1):
            data[f"pool_{cp}_{rank}"] = chosen.pk
    assert "Pozostało wyborów: <strong data-left>0</strong>" in body
    refused = voter.post(_url(voting_edition), {**data, "_pick": f"{cp}:{city[3].pk}"})
    assert "Usuń jeden, aby wybrać inny" in refused.content.decode()
    removed = voter.post(_url(voting_edition), {**data, "_unpick": f"{cp}:{city[0].pk}"})
    body = removed.content.decode()
    # the later picks move up a place
    assert f'name="pool_{cp}_1"' in body
    first_select = body.split(f'name="pool_{cp}_1"')[1].split("</select>")[0]
    assert f'<option value="{city[1].pk}" selected>' in first_select


def test_the_picks_never_reach_the_session_or_a_url(voter, voting_edition):
    city = on_ballot(voting_edition, None)
    cp = pool_for(voting_edition, None).pk
    before = dict(voter.session.items())
    response = voter.post(_url(voting_edition), {"_pick": f"{cp}:{city[1].pk}"})
    assert response.status_code == 200  # rendered, not redirected with the pick in a URL
    assert "Twój wybór: miejsce 1" in response.content.decode()
    assert dict(voter.session.items()) == before


def test_the_review_shows_cost_and_3_2_1_points_per_pick(
    voter, voting_edition, django_capture_on_commit_callbacks
):
    city = on_ballot(voting_edition, None)
    local = on_ballot(voting_edition, 1)
    cp, dp = pool_for(voting_edition, None).pk, pool_for(voting_edition, 1).pk
    data = {
        f"pool_{cp}_1": city[3].pk,
        f"pool_{cp}_2": city[0].pk,
        f"pool_{dp}_1": local[1].pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        review = voter.post(_url(voting_edition), data)
    body = review.content.decode()
    assert review.status_code == 200 and "Sprawdź swój wybór" in body
    rows = body.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "3 pkt" in rows[0] and city[3].title in rows[0] and "400" in rows[0]
    assert "2 pkt" in rows[1] and city[0].title in rows[1]
    assert "500\xa0000,00 zł" in body or "500 000,00 zł" in body  # the pool's total


def test_the_district_can_be_changed_until_the_ballot_is_cast(
    voter, voting_edition, krakow, resident
):
    url = reverse("voting:vote_district", args=[voting_edition.year])
    response = voter.post(url, {"district": krakow[18].pk})
    assert response.status_code == 302
    assert VoterDistrict.objects.get(user=resident).district == krakow[18]
    page = voter.get(_url(voting_edition)).content.decode()
    assert krakow[18].full_name in page.split('id="district-title"')[1].split("</p>")[0]
    assert f"pool-{pool_for(voting_edition, 18).pk}" in page
    assert f"pool-{pool_for(voting_edition, 1).pk}" not in page


def test_after_the_cast_the_district_is_fixed(voting_edition, krakow, resident):
    from wspolnota.voting import services
    from wspolnota.voting.errors import VotingError

    confirmed(resident)
    cast_online(voting_edition, resident, identity_of(voting_edition, 3), krakow[1])
    services.voter_district_choose(user=resident, edition=voting_edition, district=krakow[1])
    with pytest.raises(VotingError, match="nie można jej zmienić"):
        services.voter_district_choose(user=resident, edition=voting_edition, district=krakow[18])


def test_the_ballot_page_runs_a_fixed_number_of_queries(
    voter, voting_edition, django_assert_max_num_queries
):
    from wspolnota.voting import services

    voter.get(_url(voting_edition))
    with django_assert_max_num_queries(12):
        assert voter.get(_url(voting_edition)).status_code == 200
    pool = pool_for(voting_edition, None)
    for index in range(40):
        Project.objects.create(
            edition=voting_edition,
            pool=pool,
            number=f"BO.OM.{100 + index}/25",
            sequence=100 + index,
            title=f"Dodatkowy projekt {index}",
            cost=50_000,
            status="on_ballot",
        )
    services.ballot_cache_clear()
    voter.get(_url(voting_edition))
    with django_assert_max_num_queries(12):
        assert voter.get(_url(voting_edition)).status_code == 200
