"""The subscription's own page picks the address point on a map too, and works without JavaScript.

The finding: signing up offered a map for the address point (area notices reach subscribers by
it), but the page where a subscriber later changes their settings had only two bare coordinate
fields, whose help text said "click it on the map". Now the same progressive-enhancement picker
(vendored Leaflet, no CDN) is there; without JavaScript it stays hidden and the fields work.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from wspolnota.communication.models import Subscription
from wspolnota.communication.tests.factories import SubscriptionFactory


def _manage_url(subscription: Subscription, language: str = "pl") -> str:
    return f"/{language}/ogloszenia/wypisz/{subscription.manage_token}/"


def test_without_javascript_the_settings_page_hides_the_map_and_the_point_fields_work(krakow):
    subscription = SubscriptionFactory(districts=[krakow[1]])
    page = Client().get(_manage_url(subscription))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<div class="location-picker" hidden' in html
    assert 'data-lat-input="id_point_lat"' in html and 'data-lon-input="id_point_lon"' in html
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', html)
    assert any(s.endswith("vendor/leaflet/leaflet.js") for s in scripts)
    assert any(s.endswith("location_picker.js") for s in scripts)
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]  # vendored only
    response = Client().post(
        _manage_url(subscription),
        {
            "save": "1",
            "language": "pl",
            "districts": [krakow[1].pk],
            "point_lat": "50,0614",
            "point_lon": "19,9366",
        },
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.point_lat, subscription.point_lon) == (50.0614, 19.9366)


def test_a_subscription_that_ended_shows_no_map(krakow):
    subscription = SubscriptionFactory(
        districts=[krakow[1]], status=Subscription.Status.UNSUBSCRIBED
    )
    html = Client().get(_manage_url(subscription)).content.decode()
    assert "location-picker" not in html and "leaflet.js" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_click_on_the_map_sets_the_address_point_and_it_is_saved(
    browser: Any, live_server: Any, krakow: Any
) -> None:
    subscription = SubscriptionFactory(districts=[krakow[1]])
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}{_manage_url(subscription)}")
    page.wait_for_selector(".location-picker .leaflet-container path", timeout=15000)
    map_box = page.locator(".location-picker .leaflet-container")
    box = map_box.bounding_box()
    assert box is not None
    map_box.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    latitude, longitude = page.input_value("#id_point_lat"), page.input_value("#id_point_lon")
    assert latitude.startswith("50.") and longitude.startswith(("19.", "20.")), (
        latitude,
        longitude,
    )
    assert "Wskazano punkt adresowy" in page.inner_text("#point-picker-status")
    page.locator("button[name=save]").click()
    page.wait_for_load_state()
    context.close()
    subscription.refresh_from_db()
    assert subscription.point_lat == pytest.approx(float(latitude))
    assert subscription.point_lon == pytest.approx(float(longitude))
