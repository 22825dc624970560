"""Pages: boards, feeds, subscriptions, authoring, printing — and no server error anywhere."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from wspolnota.accounts.models import CityUnit
from wspolnota.communication import delivery, urls
from wspolnota.communication.models import Notice, OutboxMessage, Subscription
from wspolnota.communication.tests.factories import NoticeFactory, SubscriptionFactory
from wspolnota.communication.tests.url_samples import url_samples
from wspolnota.communication.transports import memory_outbox
from wspolnota.conftest import PERSONAS
from wspolnota.core.models import AuditLogEntry


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_communication_url_gives_a_server_error(persona, request, krakow):
    samples = {**url_samples(request), "number": 1}
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = Client(raise_request_exception=False)
    failures = []
    visited = 0
    for code, _name in settings.LANGUAGES:
        for pattern in urls.urlpatterns:
            kwargs = {arg: samples[arg] for arg in pattern.pattern.regex.groupindex}
            with translation.override(code):
                path = reverse(f"communication:{pattern.name}", kwargs=kwargs)
            for method in ("get", "post"):
                if user is not None:
                    client.force_login(user)
                response = getattr(client, method)(path)
                visited += 1
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {path} as {persona}: {response.status_code}")
    assert visited == len(urls.urlpatterns) * 6
    assert failures == []


def test_the_district_board_shows_city_wide_and_its_own_notices_only(client, krakow):
    NoticeFactory(text={"title": "Dla całego miasta"})
    NoticeFactory(scope="districts", districts=[krakow[1]], text={"title": "Tylko Stare Miasto"})
    NoticeFactory(scope="districts", districts=[krakow[18]], text={"title": "Tylko Nowa Huta"})
    page = client.get(
        reverse("communication:district_board", kwargs={"number": 1})
    ).content.decode()
    assert "Dla całego miasta" in page and "Tylko Stare Miasto" in page
    assert "Tylko Nowa Huta" not in page


def test_feeds_and_calendar_list_published_notices(client, krakow):
    from django.utils import timezone

    start = timezone.now() + timezone.timedelta(days=3)
    NoticeFactory(text={"title": "Spotkanie rady"}, event_start=start, event_location="Dom Kultury")
    NoticeFactory(text={"title": "Szkic"}, status=Notice.Status.DRAFT)
    rss = client.get(reverse("communication:feed_rss"))
    atom = client.get(reverse("communication:feed_atom"))
    assert (
        rss.status_code == 200 and b"Spotkanie rady" in rss.content and b"Szkic" not in rss.content
    )
    assert b"<feed" in atom.content and b"Spotkanie rady" in atom.content
    ical = client.get(reverse("communication:ical"))
    assert ical["Content-Type"].startswith("text/calendar")
    body = ical.content.decode()
    assert "BEGIN:VEVENT" in body and "Spotkanie rady" in body and "Dom Kultury" in body


def test_email_subscription_needs_the_link_and_unsubscribes_in_one_click(
    client, krakow, django_capture_on_commit_callbacks, daytime
):
    data = {
        "channel": "email",
        "email": "Ala@Example.org",
        "language": "pl",
        "districts": [krakow[2].pk],
        "topics": ["roads"],
        "consent": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("communication:subscribe"), data)
    assert response.status_code == 200
    subscription = Subscription.objects.get(email="ala@example.org")
    assert subscription.status == Subscription.Status.PENDING
    link = re.search(r"http://\S+/potwierdz/\S+/", mail.outbox[0].body).group(0)
    client.get(link.replace(settings.SITE_URL, ""))
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    one_click = Client(enforce_csrf_checks=True).post(
        reverse("communication:unsubscribe", kwargs={"manage_token": subscription.manage_token}),
        {"List-Unsubscribe": "One-Click"},
    )
    assert one_click.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED


def test_sms_subscription_is_confirmed_with_the_code_and_wrong_input_is_kept(
    client, krakow, django_capture_on_commit_callbacks, daytime
):
    bad = client.post(
        reverse("communication:subscribe"),
        {"channel": "sms", "phone": "12", "language": "uk", "consent": "on"},
    )
    assert bad.status_code == 400
    assert 'value="12"' in bad.content.decode() and "error-summary" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("communication:subscribe"),
            {"channel": "sms", "phone": "600 100 200", "language": "uk", "consent": "on"},
        )
    subscription = Subscription.objects.get(phone="+48600100200")
    assert response.url.endswith("/subskrypcja/kod/")
    code = re.search(r"\d{6}", memory_outbox[-1].text).group(0)
    wrong = client.post(response.url, {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400
    client.post(response.url, {"code": code})
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE and subscription.language == "uk"


def test_subscribing_an_address_that_is_already_active_changes_nothing(
    client, krakow, django_capture_on_commit_callbacks, daytime
):
    existing = SubscriptionFactory(email="ola@example.org", language="pl")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("communication:subscribe"),
            {"channel": "email", "email": "ola@example.org", "language": "en", "consent": "on"},
        )
    existing.refresh_from_db()
    assert existing.language == "pl" and existing.status == Subscription.Status.ACTIVE
    assert existing.manage_token in mail.outbox[0].body


def test_a_clerk_signs_a_resident_up_for_letters_with_the_paper_consent(
    client_for, krakow, official
):
    client = client_for("official")
    # only an official of a unit that runs a counter or the phone line acts for residents
    assert client.get(reverse("communication:counter")).status_code == 403
    units = official.role_assignments.values("city_unit")
    assert CityUnit.objects.filter(pk__in=units).update(counter_duties=True) == 1
    data = {
        "channel": "letter",
        "postal_name": "Jan Kowalski",
        "postal_street": "ul. Długa 1/2",
        "postal_code": "31-147",
        "postal_city": "Kraków",
        "language": "pl",
        "districts": [krakow[1].pk],
        "consent_document": "ZG/2026/17",
    }
    assert (
        client.post(reverse("communication:counter"), {**data, "postal_code": "31147"}).status_code
        == 400
    )
    response = client.post(reverse("communication:counter"), data)
    assert response.status_code == 302
    subscription = Subscription.objects.get(postal_name="Jan Kowalski")
    assert (
        subscription.status == Subscription.Status.ACTIVE
        and subscription.consent_document == "ZG/2026/17"
    )
    assert AuditLogEntry.objects.filter(
        action="communication.subscription_registered_at_counter"
    ).exists()
    assert client_for("resident").get(reverse("communication:counter")).status_code == 403


def test_an_official_writes_checks_the_cost_publishes_and_reads_the_report(
    client_for, krakow, django_capture_on_commit_callbacks, daytime
):
    for n in range(3):
        SubscriptionFactory(channel="sms", email="", phone=f"+4860020000{n}", districts=[krakow[4]])
    SubscriptionFactory(districts=[krakow[4]])
    client = client_for("official")
    form = {
        "author_kind": "official",
        "author_label": "Zarząd Dróg Miasta Krakowa",
        "source_language": "pl",
        "title_pl": "Remont ulicy Opolskiej",
        "body_pl": "Od 1 czerwca remont nawierzchni.",
        "sms_text_pl": "Remont ul. Opolskiej od 1.06",
        "scope": "districts",
        "districts": [krakow[4].pk],
        "urgency": "normal",
        "valid_from": "2026-05-20T08:00",
        "channels": ["email", "sms"],
        "topics": ["roads"],
    }
    missing = client.post(reverse("communication:notice_create"), {**form, "body_pl": ""})
    assert missing.status_code == 400 and "Remont ulicy Opolskiej" in missing.content.decode()
    response = client.post(reverse("communication:notice_create"), form)
    notice = Notice.objects.get()
    assert response.url == reverse("communication:notice_publish", kwargs={"notice_id": notice.pk})
    preview = client.get(response.url).content.decode()
    assert ("UCS-2" in preview and "0,48" in preview) or "0.48" in preview  # 3 × 1 part × 0.16 zł
    refused = client.post(response.url)  # the unit has set no budget for paid sends yet
    assert refused.status_code == 400 and "budżetu" in refused.content.decode()
    from decimal import Decimal

    from django.utils import timezone

    from wspolnota.communication.services import paid_send_budget_set

    official = notice.author
    paid_send_budget_set(
        actor=official,
        city_unit=notice.city_unit,
        year=timezone.localdate().year,
        amount=Decimal("10"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED and notice.paid_cost == Decimal("0.48")
    delivery.deliver_pending()
    assert OutboxMessage.objects.filter(notice=notice, status="sent").count() == 4
    report = client.get(reverse("communication:notice_report", kwargs={"notice_id": notice.pk}))
    assert report.status_code == 200 and "IV Prądnik Biały" in report.content.decode()
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {"communication.notice_created", "communication.notice_published"} <= actions


def test_a_district_councillor_cannot_address_another_district(client_for, krakow):
    client = client_for("district_councillor")
    response = client.post(
        reverse("communication:notice_create"),
        {
            "author_kind": "district_council",
            "author_label": "Rada Dzielnicy I",
            "source_language": "pl",
            "title_pl": "Dyżur radnych",
            "body_pl": "W czwartek.",
            "scope": "districts",
            "districts": [krakow[5].pk],
            "urgency": "normal",
            "valid_from": "2026-05-20T08:00",
            "channels": ["email"],
        },
    )
    assert response.status_code == 400
    assert "tylko w swojej dzielnicy" in response.content.decode()
    assert not Notice.objects.exists()


def test_a_malformed_geojson_area_is_reported_with_its_line(client_for, krakow):
    response = client_for("official").post(
        reverse("communication:notice_create"),
        {
            "author_kind": "official",
            "author_label": "UMK",
            "source_language": "pl",
            "title_pl": "Wyłączenie wody",
            "body_pl": "Awaria.",
            "scope": "area",
            "area_geojson": '{\n"type": "Polygon",\n"coordinates": [[19.93, 50.06]\n',
            "urgency": "urgent",
            "valid_from": "2026-05-20T08:00",
            "channels": ["email"],
        },
    )
    assert response.status_code == 400
    assert "wiersz 3" in response.content.decode()


def test_a_radius_area_targets_the_districts_it_touches(client_for, krakow):
    client_for("official").post(
        reverse("communication:notice_create"),
        {
            "author_kind": "official",
            "author_label": "UMK",
            "source_language": "pl",
            "title_pl": "Wyłączenie wody",
            "body_pl": "Awaria na Rynku.",
            "scope": "area",
            "area_center_lat": "50.0617",
            "area_center_lon": "19.9373",
            "area_radius_m": "300",
            "urgency": "urgent",
            "valid_from": "2026-05-20T08:00",
            "channels": ["sms"],
        },
    )
    notice = Notice.objects.get()
    assert [d.number for d in notice.districts.all()] == [1]
    assert notice.area["type"] == "Polygon"


def test_the_poster_renders_with_its_title_qr_code_and_tear_off_strips(client, krakow, tmp_path):
    notice = NoticeFactory(text={"title": "Festyn sąsiedzki na Kazimierzu"})
    for size in ("A4", "A3"):
        response = client.get(
            reverse("communication:notice_poster", kwargs={"notice_id": notice.pk})
            + f"?format={size}"
        )
        assert response["Content-Type"] == "application/pdf"
        pdf = tmp_path / f"poster-{size}.pdf"
        pdf.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Festyn sąsiedzki" in text
        assert settings.HELP_PHONE in text.replace("\n", " ") or settings.HELP_PHONE.replace(
            " ", ""
        ) in text.replace(" ", "")
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "40",
                "-singlefile",
                str(pdf),
                str(tmp_path / f"poster-{size}"),
            ],
            check=True,
        )
        png = (tmp_path / f"poster-{size}.png").read_bytes()
        assert png.startswith(b"\x89PNG")
        width = int.from_bytes(png[16:20], "big")
        expected = 331 if size == "A4" else 468  # 210 mm or 297 mm at 40 dpi
        assert abs(width - expected) <= 2
