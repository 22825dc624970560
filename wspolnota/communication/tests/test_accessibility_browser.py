"""Notice and subscription pages, as each kind of user sees them, checked by axe-core in headless
Chromium in Polish, English and Ukrainian: no WCAG 2.1 A/AA violation, forms with errors included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from wspolnota.accounts.models import CityUnit
from wspolnota.communication import services
from wspolnota.communication.choices import Channel, Scope
from wspolnota.communication.models import Notice, NoticeText, Subscription
from wspolnota.communication.tests.factories import NoticeFactory, SubscriptionFactory
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.axe import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["pl", "en", "uk"]


def scenario(krakow: dict[int, Any], official: Any, resident: Any) -> dict[str, Any]:
    now = timezone.now()
    published = NoticeFactory(
        author=official,
        scope=Scope.DISTRICTS,
        districts=[krakow[1]],
        event_start=now + timedelta(days=3),
        event_end=now + timedelta(days=3, hours=2),
        event_location="Rynek Główny 1",
        send_sms=True,
        send_letter=True,
        text={
            "title": "Festyn sąsiedzki na Kazimierzu",
            "body": "Zapraszamy w sobotę na plac Nowy.",
            "easy_read": "W sobotę jest festyn. Przyjdź na plac Nowy.",
        },
    )
    for language, title in (("en", "Neighbourhood fair"), ("uk", "Сусідський фестиваль")):
        NoticeText.objects.create(notice=published, language=language, title=title, body=title)
    draft = NoticeFactory(
        author=official, status=Notice.Status.DRAFT, published_at=None, text={"title": "Szkic"}
    )
    expired = NoticeFactory(
        author=official,
        valid_from=now - timedelta(days=10),
        valid_until=now - timedelta(days=1),
        text={"title": "Minione ogłoszenie"},
    )
    SubscriptionFactory(email=resident.email, user=resident, districts=[krakow[1]])
    SubscriptionFactory(
        channel=Channel.LETTER,
        email="",
        postal_name="Jan Kowalski",
        postal_street="ul. Długa 1",
        postal_code="31-147",
        postal_city="Kraków",
        districts=[krakow[1]],
    )
    services.notice_fan_out(notice=published)
    pending = SubscriptionFactory(
        channel=Channel.SMS, email="", phone="+48600999002", status=Subscription.Status.PENDING
    )
    active = SubscriptionFactory(districts=[krakow[1]])
    return {
        "published": published,
        "draft": draft,
        "expired": expired,
        "pending": pending,
        "active": active,
    }


def _context(browser: Any, live_server: Any, user: Any | None, language: str) -> tuple[Any, Any]:
    context = browser.new_context()
    page = context.new_page()
    if user is not None:
        log_in(page, live_server.url, user.email, PASSWORD, language)
    return context, page


def check_urls(page: Any, urls: list[str], *, allowed: tuple[int, ...] = (200,)) -> list[str]:
    """Each page must open as itself (not a log-in redirect or a refusal) and pass axe."""
    failures = []
    for url in urls:
        response = page.goto(url)
        status = response.status if response else 0
        if status not in allowed or "/konto/logowanie/" in page.url:
            failures.append(f"{url}: HTTP {status} at {page.url}")
            continue
        report = axe_violations(page)
        if report:
            failures.append(f"{url}\n{report}")
    return failures


def _submit_empty(page: Any, url: str, form: str = "main form") -> str:
    """Open ``url``, send its form without the browser's own checks, axe the error page."""
    page.goto(url)
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.locator(f"{form} [type=submit]").last.click()
    page.wait_for_load_state()
    if (
        page.url.split("?")[0] != url
        or not page.locator(".error-summary, .field-error, .errorlist").count()
    ):
        return f"{url} (sent empty): no form errors shown at {page.url}"
    report = axe_violations(page)
    return f"{url} (sent empty)\n{report}" if report else ""


def _subscribe_by_sms(page: Any, base: str) -> list[str]:
    """The code page opens only in the browser that asked for the code: ask for one, then axe it."""
    page.goto(f"{base}/subskrypcja/")
    page.check("input[name=channel][value=sms]")
    page.fill("input[name=phone]", "600 999 003")
    page.check("input[name=consent]")
    page.locator("main form [type=submit]").last.click()
    page.wait_for_load_state()
    if not page.url.endswith("/subskrypcja/kod/"):
        return [f"subscribing by SMS ended at {page.url}, not at the code page"]
    report = axe_violations(page)
    return [f"{page.url}\n{report}"] if report else []


@pytest.mark.parametrize("language", LANGUAGES)
def test_notice_and_subscription_pages_have_no_wcag_violations(
    browser, live_server, krakow, official, resident, language
):
    s = scenario(krakow, official, resident)
    # the counter page is for officials of a unit that runs a counter (issue 17)
    CityUnit.objects.filter(pk__in=official.role_assignments.values("city_unit")).update(
        counter_duties=True
    )
    base = f"{live_server.url}/{language}/ogloszenia"
    published, draft = s["published"].pk, s["draft"].pk
    failures: list[str] = []

    context, page = _context(browser, live_server, None, language)
    failures += check_urls(
        page,
        [
            f"{base}/",
            f"{base}/archiwum/",
            f"{base}/dzielnica/1/",
            f"{base}/{published}/",
            f"{base}/subskrypcja/",
            f"{base}/wypisz/{s['active'].manage_token}/",
        ],
    )
    # A wrong confirmation link: an error page, which must be accessible too.
    failures += check_urls(
        page,
        [f"{base}/subskrypcja/{s['pending'].manage_token}/potwierdz/not-the-secret/"],
        allowed=(200, 400, 404),
    )
    failures.append(_submit_empty(page, f"{base}/subskrypcja/"))
    failures += _subscribe_by_sms(page, base)
    failures.append(_submit_empty(page, f"{base}/subskrypcja/kod/"))
    context.close()

    context, page = _context(browser, live_server, resident, language)
    failures += check_urls(page, [f"{base}/moje-subskrypcje/", f"{base}/{published}/"])
    context.close()

    context, page = _context(browser, live_server, official, language)
    failures += check_urls(
        page,
        [
            f"{base}/zarzadzanie/",
            f"{base}/nowe/",
            f"{base}/okienko/",
            f"{base}/{draft}/",
            f"{base}/{draft}/edycja/",
            f"{base}/{draft}/publikacja/",
            f"{base}/{published}/wycofanie/",
            f"{base}/{published}/raport/",
            f"{base}/{published}/listy/",
            f"{base}/budzet/",
        ],
    )
    failures.append(_submit_empty(page, f"{base}/budzet/"))
    failures.append(_submit_empty(page, f"{base}/nowe/"))
    failures.append(_submit_empty(page, f"{base}/okienko/"))
    failures.append(_submit_empty(page, f"{base}/{published}/wycofanie/"))
    context.close()

    failures = [f for f in failures if f]
    assert failures == [], "\n\n".join(failures)
