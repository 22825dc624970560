"""Who is asking: the client address behind a configured number of trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from wspolnota.core import ratelimit
from wspolnota.core.ratelimit import address_from_headers


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        # No trusted proxy: the header is the client's to write, so it is ignored.
        ("203.0.113.7", "198.51.100.1", 0, "203.0.113.7"),
        # One proxy (nginx's $proxy_add_x_forwarded_for): the rightmost entry is what it saw.
        ("10.0.0.1", "203.0.113.7", 1, "203.0.113.7"),
        ("10.0.0.1", "198.51.100.1, 203.0.113.7", 1, "203.0.113.7"),
        # A CDN in front of nginx: two hops are trusted, the client's forgery further left is not.
        ("10.0.0.1", "6.6.6.6, 203.0.113.7, 192.0.2.50", 2, "203.0.113.7"),
        # Fewer entries than trusted hops: not through the proxies, counted as the direct peer.
        ("10.0.0.1", "203.0.113.7", 2, "10.0.0.1"),
        ("10.0.0.1", "", 1, "10.0.0.1"),
        # Not an address: counted under the proxy rather than under a made-up name.
        ("10.0.0.1", "203.0.113.7, unknown", 1, "10.0.0.1"),
        ("10.0.0.1", "' OR 1=1 --", 1, "10.0.0.1"),
        # Ports and brackets as some proxies write them.
        ("10.0.0.1", "203.0.113.7:51234", 1, "203.0.113.7"),
        ("10.0.0.1", "[2001:db8::7]:443", 1, "2001:db8::7"),
        ("10.0.0.1", "2001:DB8::7", 1, "2001:db8::7"),
        ("", "", 0, "0.0.0.0"),  # noqa: S104 - the address counted for a request without one
    ],
)
def test_the_client_address_trusts_only_the_configured_hops(remote, forwarded, trusted, expected):
    assert (
        address_from_headers(remote_addr=remote, forwarded_for=forwarded, trusted_proxies=trusted)
        == expected
    )


def test_an_ipv6_client_is_counted_by_its_slash_64(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    first = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8:1:2::1")
    second = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8:1:2::ffff")
    assert (
        ratelimit.client_network(first) == ratelimit.client_network(second) == "2001:db8:1:2::/64"
    )


@pytest.mark.django_db
def test_the_middleware_gives_every_request_its_client_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/healthz", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.wsgi_request.client_address == "203.0.113.9"
    assert response.wsgi_request.META["REMOTE_ADDR"] == "10.0.0.1"  # logs still show the proxy
