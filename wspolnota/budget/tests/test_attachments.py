"""Attachments: images and PDFs within the edition's limits; a clear message otherwise."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wspolnota.budget import services
from wspolnota.budget.errors import BudgetError
from wspolnota.budget.tests.factories import pool_for, submitted_project

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def _upload(client, project, name, data, content_type="application/octet-stream"):
    return client.post(
        f"/pl/budzet-obywatelski/projekty/{project.pk}/zalaczniki/",
        {"file": SimpleUploadedFile(name, data, content_type=content_type), "description": "Plan"},
    )


def test_an_author_attaches_an_image_and_a_pdf_and_anyone_downloads_them(
    client_for, edition, resident
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    client = client_for("resident")
    assert _upload(client, project, "plan.png", PNG, "image/png").status_code == 302
    assert _upload(client, project, "kosztorys.pdf", PDF, "application/pdf").status_code == 302
    attachments = list(project.attachments.order_by("id"))
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("plan.png", "image/png"),
        ("kosztorys.pdf", "application/pdf"),
    ]
    response = client_for("anonymous").get(
        f"/pl/budzet-obywatelski/projekty/{project.pk}/zalaczniki/{attachments[0].pk}/"
    )
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    project.refresh_from_db()
    assert project.versions.order_by("-number").first().attachments[-1]["name"] == "kosztorys.pdf"


def test_a_file_of_the_wrong_type_is_refused_with_its_name(client_for, edition, resident):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    response = _upload(
        client_for("resident"), project, "zdjecie.png", b"MZ\x90\x00not an image", "image/png"
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Plik „zdjecie.png” nie jest obrazem JPEG lub PNG ani dokumentem PDF." in page
    assert 'value="Zielona alejka na Plantach"' in page  # the project form is still filled in
    assert not project.attachments.exists()


def test_a_pdf_named_like_an_image_is_refused(edition, resident):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with pytest.raises(BudgetError, match="nie jest obrazem"):
        services.attachment_add(
            actor=resident, project=project, upload=SimpleUploadedFile("a.jpg", PDF)
        )


def test_an_oversized_file_is_refused_with_the_limit(client_for, krakow, resident):
    from wspolnota.budget.tests.factories import make_edition

    edition = make_edition(districts=krakow, max_attachment_mb=1)
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    big = PNG + b"\x00" * (1024 * 1024 + 1)
    response = _upload(client_for("resident"), project, "duze.png", big, "image/png")
    assert response.status_code == 400
    assert "Plik „duze.png” ma 1.0 MB; dopuszczalny rozmiar to 1 MB." in response.content.decode()


def test_the_number_of_attachments_is_limited(krakow, resident):
    from wspolnota.budget.tests.factories import make_edition

    edition = make_edition(districts=krakow, max_attachments=1)
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    services.attachment_add(
        actor=resident, project=project, upload=SimpleUploadedFile("a.png", PNG)
    )
    with pytest.raises(BudgetError, match="najwyżej 1 załączników"):
        services.attachment_add(
            actor=resident, project=project, upload=SimpleUploadedFile("b.png", PNG)
        )


def test_only_the_author_adds_or_removes_attachments(
    client_for, edition, resident, resident_other_district
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with pytest.raises(BudgetError):
        services.attachment_add(
            actor=resident_other_district, project=project, upload=SimpleUploadedFile("a.png", PNG)
        )
    attachment = services.attachment_add(
        actor=resident, project=project, upload=SimpleUploadedFile("a.png", PNG)
    )
    url = f"/pl/budzet-obywatelski/projekty/{project.pk}/zalaczniki/{attachment.pk}/usun/"
    assert client_for("resident_other_district").post(url).status_code == 403
    assert client_for("resident").post(url).status_code == 302
    assert not project.attachments.exists()
