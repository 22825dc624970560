"""URL argument values for the core every-URL sweep (the counter pages, issue 17)."""

from __future__ import annotations

from typing import Any


def url_samples(request: Any) -> dict[str, Any]:
    from wspolnota.accounts.models import Consent
    from wspolnota.tests_support.scopes import kept_person

    request.getfixturevalue("db")
    person = kept_person(full_name="Próbka Okienkowa")
    consent = Consent.objects.create(person=person, purpose="notices", channel="counter")
    return {"consent_id": consent.pk}
