"""Issue 22's "what to show", in headless Chromium: a teacher sets up a school budget, ideas are
entered and checked, code sheets are printed (the PDF read back), pupils vote with codes (a
used code is refused, a voided sheet's codes are refused), the results are published with
explanations and recounted from the open data with votecount. Every public page is axe-clean
in Polish, English and Ukrainian."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from wspolnota.conftest import PASSWORD
from wspolnota.schools.models import CodeSheet, Idea, School, SchoolEdition, SchoolResult
from wspolnota.schools.tests.factories import education_official, move_to
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")
# The shared test machine can be slow to serve the first pages (the PDF renderer loading).
SLOW_MACHINE_MS = 120_000


def _new_page(browser):
    context = browser.new_context()
    context.set_default_timeout(SLOW_MACHINE_MS)
    return context.new_page()


def _pdf_codes(path) -> tuple[list[str], str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return CODE.findall(text), text


def _submit(page):
    page.click("main form.form button[type=submit] >> nth=-1")
    page.wait_for_load_state()


def test_a_school_budget_from_set_up_to_recount_in_a_browser(
    browser, live_server, tmp_path, settings
):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) reads the PDF back")
    settings.SCHOOLS_MIX_BATCH = 3
    official = education_official()
    teacher = UserFactory(password=PASSWORD)
    base = live_server.url
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(SLOW_MACHINE_MS)
    page = context.new_page()

    # The teacher registers the school, the education unit confirms it.
    log_in(page, base, teacher.email, PASSWORD)
    page.goto(f"{base}/pl/szkoly/zglos-szkole/")
    page.fill("#id_name", "SP 12 w Krakowie")
    page.select_option("#id_kind", "school")
    page.fill("#id_location", "ul. Jasna 12")
    assert axe_violations(page) == ""
    _submit(page)
    school = School.objects.get()
    context.clear_cookies()
    log_in(page, base, official.email, PASSWORD)
    page.goto(f"{base}/pl/szkoly/potwierdzanie/{school.pk}/")
    page.check("input[name=decision][value=confirm]")
    _submit(page)
    context.clear_cookies()

    # An edition from a template.
    log_in(page, base, teacher.email, PASSWORD)
    page.goto(f"{base}/pl/szkoly/{school.pk}/nowa-edycja/")
    page.check("input[name=template][value=klasowy]")
    page.fill("#id_start", "2027-03-01")
    page.click("main form[method=get] button[type=submit]")
    page.wait_for_load_state()
    assert page.input_value("#id_amount") in ("2000", "2000.00", "2000,00")
    assert axe_violations(page) == ""
    page.click("main form.form[method=post] button[type=submit]")
    page.wait_for_load_state()
    edition = SchoolEdition.objects.get()
    assert edition.approval_max == 2

    # Ideas keyed by the teacher and checked with reasons.
    move_to(edition, "ideas")
    for title, cost in (("Ławki", "900"), ("Gry", "600"), ("Rower", "700"), ("Kwiaty", "100")):
        page.goto(f"{base}/pl/szkoly/edycja/{edition.pk}/pomysly/nowy/")
        page.fill("#id_title", title)
        page.fill("#id_description", "Pomysł klasy.")
        page.fill("#id_cost", cost)
        page.fill("#id_class_label", "4a")
        _submit(page)
    move_to(edition, "checking")
    for idea in Idea.objects.order_by("number"):
        page.goto(f"{base}/pl/szkoly/edycja/{edition.pk}/pomysly/{idea.pk}/sprawdz/")
        reject = idea.title == "Kwiaty"
        page.check(f"input[name=decision][value={'reject' if reject else 'accept'}]")
        page.fill("#id_reason", "Kwiaty już są." if reject else "Zgodny z zasadami.")
        _submit(page)

    # Code sheets: printed, read back; one lost and reprinted.
    move_to(edition, "voting")
    sheets = {}
    for label, size in (("4a", "5"), ("4b", "2")):
        page.goto(f"{base}/pl/szkoly/edycja/{edition.pk}/kody/")
        page.fill("#id_label", label)
        page.fill("#id_size", size)
        with page.expect_download() as download:
            page.click("main form.form button[type=submit]")
        path = tmp_path / f"{label}.pdf"
        download.value.save_as(path)
        sheets[label], text = _pdf_codes(path)
        assert f"Klasa {label}" in text
    assert len(sheets["4a"]) == 5 and len(sheets["4b"]) == 2
    lost = CodeSheet.objects.get(group__label="4b")
    page.goto(f"{base}/pl/szkoly/edycja/{edition.pk}/kody/arkusz/{lost.pk}/uniewaznij/")
    page.fill("#id_reason", "Arkusz zgubiony")
    with page.expect_download() as download:
        page.click("main form.form button[type=submit]")
    download.value.save_as(tmp_path / "reprint.pdf")
    reprinted, _text = _pdf_codes(tmp_path / "reprint.pdf")
    assert len(reprinted) == 2 and not set(reprinted) & set(sheets["4b"])
    context.close()

    # Pupils vote without accounts (a fresh browser, no log-in).
    pupil = _new_page(browser)
    vote_url = f"{base}/pl/szkoly/edycja/{edition.pk}/glosuj/"
    numbers = {i.title: i.number for i in Idea.objects.all()}
    ballots = [["Ławki"], ["Ławki", "Gry"], ["Gry", "Rower"], ["Ławki"], ["Rower", "Gry"]]
    pupil.goto(vote_url)
    assert axe_violations(pupil) == ""
    for code, picks in zip(sheets["4a"], ballots, strict=True):
        pupil.goto(vote_url)
        pupil.fill("#id_code", code.lower())
        for title in picks:
            pupil.check(f"input[name=ideas][value='{numbers[title]}']")
        pupil.click("main form.form button[type=submit]")
        pupil.wait_for_load_state()
        assert "Twój głos jest w urnie" in pupil.content()
    pupil.goto(vote_url)
    pupil.fill("#id_code", sheets["4a"][0])
    pupil.check(f"input[name=ideas][value='{numbers['Rower']}']")
    pupil.click("main form.form button[type=submit]")
    pupil.wait_for_load_state()
    assert "już użyty" in pupil.content()
    assert axe_violations(pupil) == ""  # the page with the error too
    pupil.goto(vote_url)
    pupil.fill("#id_code", sheets["4b"][0])
    pupil.check(f"input[name=ideas][value='{numbers['Rower']}']")
    pupil.click("main form.form button[type=submit]")
    pupil.wait_for_load_state()
    assert "unieważniony" in pupil.content()
    pupil.goto(vote_url)
    pupil.fill("#id_code", reprinted[0])
    pupil.check(f"input[name=ideas][value='{numbers['Rower']}']")
    pupil.click("main form.form button[type=submit]")
    pupil.wait_for_load_state()
    assert "Twój głos jest w urnie" in pupil.content()
    pupil.context.close()

    # The results, published by the teacher, explained to everyone.
    move_to(edition, "results")
    page = _new_page(browser)
    log_in(page, base, teacher.email, PASSWORD)
    page.goto(f"{base}/pl/szkoly/edycja/{edition.pk}/wyniki/")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    result = SchoolResult.objects.get()
    assert result.ballots == 6
    page.context.close()
    reader = _new_page(browser)
    reader.goto(f"{base}/pl/szkoly/edycja/{edition.pk}/wyniki/")
    content = reader.content()
    assert "Wygrał" in content and "Nie wygrał" in content
    for language, words in (("en", "It won"), ("uk", "Перемогла")):
        reader.goto(f"{base}/{language}/szkoly/edycja/{edition.pk}/wyniki/")
        assert words in reader.content()
    command = reader.inner_text("pre code").split()

    # The recount from the open data.
    response = reader.request.get(f"{base}/pl/szkoly/edycja/{edition.pk}/wyniki.pb")
    (tmp_path / command[2]).write_bytes(response.body())
    done = subprocess.run(
        [sys.executable, "-m", "votecount", *command[1:], "--json"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )
    assert json.loads(done.stdout)["selected"] == result.selected

    # Every public page of the school budget, in three languages.
    failures = []
    for language in ("pl", "en", "uk"):
        root = f"{base}/{language}/szkoly"
        failures += check_urls(
            reader,
            [
                f"{root}/",
                f"{root}/przewodnik/",
                f"{root}/{school.pk}/",
                f"{root}/edycja/{edition.pk}/",
                f"{root}/edycja/{edition.pk}/glosuj/",
                f"{root}/edycja/{edition.pk}/wyniki/",
            ],
        )
    reader.context.close()
    assert failures == [], "\n\n".join(failures)


def test_team_pages_have_no_wcag_violations(browser, live_server):
    from wspolnota.schools.tests.factories import confirmed_school, edition_in, ideas_on_ballot

    school, coordinator, _panel = confirmed_school()
    edition = edition_in(school, coordinator, "ideas")
    idea = ideas_on_ballot(edition, coordinator, [100])[0]
    move_to(edition, "checking")
    page = _new_page(browser)
    log_in(page, live_server.url, coordinator.email, PASSWORD)
    root = f"{live_server.url}/pl/szkoly"
    failures = check_urls(
        page,
        [
            f"{root}/{school.pk}/",
            f"{root}/{school.pk}/zespol/",
            f"{root}/{school.pk}/nowa-edycja/",
            f"{root}/edycja/{edition.pk}/",
            f"{root}/edycja/{edition.pk}/ustawienia/",
            f"{root}/edycja/{edition.pk}/pomysly/{idea.pk}/sprawdz/",
            f"{root}/edycja/{edition.pk}/kody/",
        ],
    )
    # a form with errors
    page.goto(f"{root}/{school.pk}/zespol/")
    page.fill("#id_email", "nikt@example.org")
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state()
    report = axe_violations(page)
    if report:
        failures.append(report)
    page.context.close()
    assert failures == [], "\n\n".join(failures)
