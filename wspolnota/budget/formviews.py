"""The one shape of a set-up page's POST, shared by the budget's and the vote's set-up pages.

Every such page does the same: a GET shows the form (200); a POST validates it, hands the
cleaned data to one service, and either says so and redirects, or puts the service's problems on
their fields and shows the form again with status 400, keeping what the official typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error


def form_status(request: HttpRequest) -> int:
    """200 for the page, 400 when a POST comes back to it (the POST did not succeed)."""
    return 400 if request.method == "POST" else 200


def form_post(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: str,
    then: Callable[[Any], HttpResponse],
    refusal: Any = None,
    apply: Callable[[forms.BaseForm, DomainError], None] = apply_domain_error,
) -> HttpResponse | None:
    """Run a POSTed form through its service: the response after success (``then`` gets what
    ``save`` returned), or None to render the page again (``form_status`` gives 400). A
    ``refusal`` (a lock's message) is put at the top of a valid form instead of saving."""
    if request.method != "POST" or not form.is_valid():
        return None
    if refusal is not None:
        form.add_error(None, str(refusal))
        return None
    try:
        result = save(form.cleaned_data)
    except DomainError as exc:
        apply(form, exc)
        return None
    messages.success(request, success)
    return then(result)
