from __future__ import annotations

from typing import Any

from django import forms, template
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.safestring import SafeString
from django.utils.translation import override

register = template.Library()


@register.inclusion_tag("core/includes/language_links.html", takes_context=True)
def language_links(context: dict[str, Any]) -> dict[str, Any]:
    """Links to this same page in each language; plain links work without JavaScript."""
    request: HttpRequest | None = context.get("request")
    path = request.get_full_path() if request else "/"
    current = context.get("LANGUAGE_CODE", settings.LANGUAGE_CODE)
    links = [
        {
            "code": code,
            "name": settings.LANGUAGE_NATIVE_NAMES.get(code, code),
            "url": _in_language(request, path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {"links": links}


def _in_language(request: HttpRequest | None, path: str, code: str) -> str:
    """``translate_url`` without resolving the path again: the request already knows its view."""
    match = getattr(request, "resolver_match", None)
    if request is None or match is None or not match.url_name:
        return translate_url(path, code)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    try:
        with override(code):
            url = reverse(name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return translate_url(path, code)
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


@register.filter
def a11y_widget(field: forms.BoundField) -> SafeString:
    """Render a field's widget tied to its help text and errors for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs: dict[str, str] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.field.required and not isinstance(field.field.widget, forms.CheckboxInput):
        attrs["required"] = "required"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multiple_choice(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
