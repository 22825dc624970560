from __future__ import annotations

import pytest

from wspolnota.accounts import demo as accounts_demo
from wspolnota.consultations import demo, services
from wspolnota.consultations.models import Consultation, StatementVote


@pytest.mark.django_db
def test_the_demo_consultation_loads_once_and_its_pages_answer(client, krakow):
    accounts_demo.load()
    assert demo.load()
    assert demo.load() == []
    consultation = Consultation.objects.get(title=demo.OPEN_TITLE)
    # eight demo people who are not staff on duty (no official, no counter clerk), five statements
    assert StatementVote.objects.filter(statement__consultation=consultation).count() == 8 * 5
    stored = services.opinion_map_recompute(consultation=consultation)
    assert stored.result["n_groups"] >= 1
    for path in ("", "uwagi/", "mapa-opinii/"):
        assert client.get(f"/pl/konsultacje/{consultation.pk}/{path}").status_code == 200
