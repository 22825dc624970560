"""Area notices reach the people in the area: subscribers placed by their address point.

The attack: a notice for 300 m around the Main Market Square went to every subscriber of
District I, because subscribers were matched only by the districts the area touches. And its
author had to type GeoJSON by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from wspolnota.communication import selectors, services
from wspolnota.communication.choices import Channel, Scope
from wspolnota.communication.models import Notice, Subscription
from wspolnota.communication.tests.factories import SubscriptionFactory

RYNEK = (50.0617, 19.9373)
WAWEL = (50.0540, 19.9354)  # about 860 m south, still District I


def test_a_300_m_notice_reaches_only_the_subscribers_whose_address_is_inside(krakow):
    inside = SubscriptionFactory(
        districts=[krakow[1]], point_lat=RYNEK[0] + 0.001, point_lon=RYNEK[1]
    )
    SubscriptionFactory(districts=[krakow[1]], point_lat=WAWEL[0], point_lon=WAWEL[1])
    SubscriptionFactory(districts=[krakow[1]])  # no address point: only the board shows it
    data = services.NoticeData(
        author_kind="official",
        author_label="Wodociągi",
        source_language="pl",
        texts={"pl": services.NoticeContent(title="Awaria", body="Brak wody.")},
        valid_from=timezone.now(),
        scope=Scope.AREA,
        area_center_lat=RYNEK[0],
        area_center_lon=RYNEK[1],
        area_radius_m=300,
    )
    from wspolnota.accounts.roles import Role
    from wspolnota.tests_support.factories import (
        CityUnitFactory,
        RoleAssignmentFactory,
        UserFactory,
    )

    official = UserFactory()
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    notice = services.notice_create(author=official, data=data)
    notice.status = Notice.Status.PUBLISHED
    notice.save()
    reached = [r.subscription_id for r in selectors.notice_audience(notice=notice)]
    assert reached == [inside.pk]


def test_the_author_picks_the_area_on_a_map_not_in_geojson(client_for, krakow):
    page = client_for("official").get(reverse("communication:notice_create")).content.decode()
    assert '<textarea name="area_geojson"' not in page
    assert 'name="area_center_lat"' in page and 'name="area_radius_m"' in page
    assert "notice-area-picker" in page and "vendor/leaflet/leaflet.js" in page


def test_a_subscriber_gives_the_address_point(client, krakow):
    response = client.post(
        reverse("communication:subscribe"),
        {
            "channel": "email",
            "email": "anna@example.org",
            "language": "pl",
            "districts": [krakow[1].pk],
            "point_lat": "50,0620",
            "point_lon": "19.9370",
            "consent": "on",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    subscription = Subscription.objects.get(email="anna@example.org")
    assert (subscription.point_lat, subscription.point_lon) == (50.062, 19.937)
    assert subscription.channel == Channel.EMAIL


def test_a_point_outside_the_city_is_refused(client, krakow):
    response = client.post(
        reverse("communication:subscribe"),
        {
            "channel": "email",
            "email": "jan@example.org",
            "language": "pl",
            "point_lat": "52.2297",
            "point_lon": "21.0122",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    assert not Subscription.objects.filter(email="jan@example.org").exists()


def _fill_area_notice(page: Any, base: str, title: str) -> None:
    page.goto(f"{base}/pl/ogloszenia/nowe/")
    page.fill("#id_author_label", "Wodociągi Miasta")
    page.fill("#id_title_pl", title)
    page.fill("#id_body_pl", "Brak wody do wieczora.")
    page.fill("#id_valid_from", "2026-12-08T08:00")
    page.check("input[name=scope][value=area]")
    page.wait_for_selector(".notice-area-picker .leaflet-container path", timeout=15000)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_author_clicks_a_circle_and_draws_a_polygon_on_the_map_and_both_are_saved(
    browser: Any, live_server: Any, krakow: Any, official: Any
) -> None:
    """The author's map really sets the area: a click sets the circle's centre (radius 300 m by
    default), three clicks in drawing mode a polygon, and the notices saved from the page carry
    them. The markup test above cannot fail when the picker's script is broken; this one can."""
    from wspolnota.conftest import PASSWORD
    from wspolnota.tests_support.axe import log_in

    assert reverse("communication:notice_create") == "/pl/ogloszenia/nowe/"
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, official.email, PASSWORD)
    _fill_area_notice(page, live_server.url, "Koło")
    map_box = page.locator(".notice-area-picker .leaflet-container")
    box = map_box.bounding_box()
    assert box is not None
    middle = {"x": box["width"] / 2, "y": box["height"] / 2}
    map_box.click(position=middle)
    latitude, longitude = (
        page.input_value("#id_area_center_lat"),
        page.input_value("#id_area_center_lon"),
    )
    assert latitude.startswith("50.") and longitude.startswith(("19.", "20."))
    assert page.input_value("#id_area_radius_m") == "300"
    assert "300 m" in page.inner_text("#notice-area-status")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    circle = Notice.objects.get(texts__title="Koło")
    assert circle.scope == Scope.AREA and circle.area_radius_m == 300
    assert circle.area_center_lat == pytest.approx(float(latitude))
    assert circle.area_center_lon == pytest.approx(float(longitude))

    _fill_area_notice(page, live_server.url, "Wielokąt")
    page.click(".notice-area-picker [data-action=mode]")
    for dx, dy in ((-30, -30), (30, -30), (0, 30)):
        map_box.click(position={"x": middle["x"] + dx, "y": middle["y"] + dy})
    assert "3" in page.inner_text("#notice-area-status")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    context.close()
    polygon = Notice.objects.get(texts__title="Wielokąt")
    assert polygon.scope == Scope.AREA and polygon.area is not None
    assert polygon.area["type"] == "Polygon" and len(polygon.area["coordinates"][0]) == 4
    assert polygon.districts.exists()
