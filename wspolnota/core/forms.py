from __future__ import annotations

from django import forms

from wspolnota.core.errors import DomainError


def apply_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's domain error on the form field it names, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))
