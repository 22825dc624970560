from __future__ import annotations

from django import forms

from wspolnota.core.errors import DomainError


def apply_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's domain error on the form field it names, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


class FixedRowsFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """A formset with exactly one form per initial row, whatever ``TOTAL_FORMS`` says.

    For tables whose rows the server decides (an updated budget beside the proposed one): a
    tampered or non-numeric management form can neither add nor drop rows, so views that pair
    rows with forms never see the counts differ.
    """

    def total_form_count(self) -> int:
        return len(self.initial or [])

    def initial_form_count(self) -> int:
        return len(self.initial or [])
