"""Youth consultations by class codes in headless Chromium (issue 22): the official opens a
survey to pupils and prints a class's sheet (the PDF read back), voids a lost sheet and prints
its replacement; a pupil answers with a code and no account, and a used code is refused. Every
page is axe-clean in Polish, English and Ukrainian, and works without JavaScript."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from wspolnota.conftest import PASSWORD
from wspolnota.consultations import services
from wspolnota.consultations.models import SurveyCodes
from wspolnota.consultations.tests.factories import ConsultationFactory
from wspolnota.schools.models import CodeSheet
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory
from wspolnota.tests_support.scopes import official_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")
SLOW_MACHINE_MS = 120_000


def _codes(path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return CODE.findall(text)


def _submit(page):
    page.click("main form.form button[type=submit] >> nth=-1")
    page.wait_for_load_state()


def test_pupils_answer_a_consultation_survey_with_class_codes_in_a_browser(
    browser, live_server, tmp_path
):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) reads the PDF back")
    unit = CityUnitFactory()
    official = official_of(unit, password=PASSWORD)
    consultation = ConsultationFactory(initiating_unit=unit, created_by=official)
    survey = services.survey_create(
        actor=official,
        consultation=consultation,
        title="Boisko przy szkole",
        intro="",
        verified=False,
        questions="single | Co jest najważniejsze? | zieleń; boisko; ławki",
    )
    base = live_server.url
    office = f"{base}/pl/konsultacje/{consultation.pk}/ankiety/{survey.pk}/kody/"
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(SLOW_MACHINE_MS)
    page = context.new_page()
    log_in(page, base, official.email, PASSWORD)
    page.goto(office)
    assert axe_violations(page) == ""
    _submit(page)  # open the survey to pupils
    assert SurveyCodes.objects.filter(survey=survey).exists()
    _submit(page)  # an empty sheet form: errors, still axe-clean
    assert page.locator(".error-summary").count() == 1
    assert axe_violations(page) == ""
    page.fill("#id_label", "SP 12, 5b")
    page.fill("#id_size", "3")
    with page.expect_download() as download:
        page.click("main form.form button[type=submit] >> nth=-1")
    download.value.save_as(tmp_path / "5b.pdf")
    printed = _codes(tmp_path / "5b.pdf")
    assert len(printed) == 3
    sheet = CodeSheet.objects.get()
    page.goto(office)
    assert axe_violations(page) == ""
    page.goto(f"{office}arkusz/{sheet.pk}/uniewaznij/")
    assert axe_violations(page) == ""
    page.fill("#id_reason", "arkusz zgubiony")
    with page.expect_download() as download:
        page.click("main form.form button[type=submit]")
    download.value.save_as(tmp_path / "reprint.pdf")
    reprinted = _codes(tmp_path / "reprint.pdf")
    assert len(reprinted) == 3 and not set(reprinted) & set(printed)
    context.close()

    # a pupil, no account, no JavaScript (axe needs JavaScript: it runs in its own context below)
    pupil_context = browser.new_context(java_script_enabled=False)
    pupil_context.set_default_timeout(SLOW_MACHINE_MS)
    pupil = pupil_context.new_page()
    answer = f"{base}/pl/konsultacje/{consultation.pk}/ankiety/{survey.pk}/kodem/"
    pupil.goto(answer)
    pupil.fill("#id_code", printed[0])  # the lost sheet's code
    pupil.check("input[value=boisko]")
    _submit(pupil)
    assert "unieważniony" in pupil.content()
    pupil.fill("#id_code", reprinted[0].lower())
    pupil.check("input[value=boisko]")
    _submit(pupil)
    assert "Dziękujemy" in pupil.content()
    pupil.goto(answer)
    pupil.fill("#id_code", reprinted[0])
    pupil.check("input[value=zieleń]")
    _submit(pupil)
    assert "już użyty" in pupil.content()
    pupil_context.close()

    reader_context = browser.new_context()
    reader_context.set_default_timeout(SLOW_MACHINE_MS)
    reader = reader_context.new_page()
    reader.goto(answer)
    reader.fill("#id_code", reprinted[0])
    _submit(reader)  # no answer given: the errors are axe-clean too
    assert reader.locator(".error-summary").count() == 1
    assert axe_violations(reader) == ""
    failures = []
    for language in ("pl", "en", "uk"):
        root = f"{base}/{language}/konsultacje/{consultation.pk}/ankiety/{survey.pk}"
        failures += check_urls(reader, [f"{root}/", f"{root}/kodem/"])
    reader_context.close()
    official_context = browser.new_context()
    official_context.set_default_timeout(SLOW_MACHINE_MS)
    page = official_context.new_page()
    log_in(page, base, official.email, PASSWORD)
    other = CodeSheet.objects.filter(voided_at__isnull=True).get()
    for language in ("pl", "en", "uk"):
        root = f"{base}/{language}/konsultacje/{consultation.pk}/ankiety/{survey.pk}"
        failures += check_urls(
            page, [f"{root}/kody/", f"{root}/kody/arkusz/{other.pk}/uniewaznij/"]
        )
    official_context.close()
    assert failures == [], "\n\n".join(failures)
