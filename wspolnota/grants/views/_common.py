"""Shared helpers of the grants pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.forms import BaseFormSet
from django.http import HttpRequest

from wspolnota.accounts.models import User
from wspolnota.grants import permissions


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _status(*forms: Any) -> int:
    for form in forms:
        if form is None:
            continue
        if isinstance(form, BaseFormSet):
            if form.is_bound and (form.non_form_errors() or any(f.errors for f in form.forms)):
                return 400
        elif form.errors:
            return 400
    return 200


def _require_office(request: HttpRequest) -> None:
    if not permissions.can_see_office(request.user):
        raise PermissionDenied


def _rows(formset: BaseFormSet[Any]) -> list[dict[str, Any]]:
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
