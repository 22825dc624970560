"""Hostile input in every form field, every query parameter and every API parameter: never a 500.

The sweep of ``test_every_url`` finds the pages (the URL registry and the apps' ``url_samples``);
this test reads each page as anonymous, resident and official, collects every form on it (its
fields, their current values) and the query parameters its links and search forms use, and then
sends each field and parameter hostile values drawn by hypothesis — Unicode digits (``²``, ``١``),
integers past 64 bits, negatives, empty strings, long strings, NUL bytes, escapes — one field at
a time, the rest of the form left as the page filled it. The API is fuzzed from its OpenAPI schema:
every path and query parameter of every operation. Any status of 500 or more fails the test; the
number of fields and parameters tried is printed and asserted, so a page that stops being swept
shows up.

Bounded for CI: a fixed seed (``derandomize``), a few examples, no shrinking (the failure list
names the field and the value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.test import Client
from django.urls import get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from wspolnota.core.tests.test_every_url import _concrete, _samples, _skipped, _walk

FUZZ_PERSONAS = ["anonymous", "resident", "official"]

# The values every field gets at least once, then hypothesis draws more.
KNOWN_BAD = [
    "²",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999",
    "-1",
    "",
    "1\x00",
    "١٢",
]

# Every page is also asked for a page number it may not have.
GENERIC_QUERY = ("page",)
# The values every form gets in every field at once (one request per form and value).
GROUPED_BAD = ["²", "9223372036854775808", "1\x00"]

hostile_text = st.one_of(
    st.sampled_from(KNOWN_BAD),
    st.sampled_from(KNOWN_BAD),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.just("x" * 5000),
    st.sampled_from(
        ["%ff", "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"), "\ufeff1"]
    ),
)


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class FormParser(HTMLParser):
    """The forms of a page with what a browser would send, and the query names its links use."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.link_params: set[str] = set()
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "a" and "href" in attrs:
            parts = urlsplit(attrs["href"])
            if parts.query and (not parts.path or parts.path == self.page_path):
                self.link_params.update(name for name, _ in parse_qsl(parts.query, True))
        elif tag == "form":
            action = urlsplit(attrs.get("action") or self.page_path)
            self._form = Form(
                method=(attrs.get("method") or "get").lower(),
                action=action.path or self.page_path,
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button") and attrs.get("name"):
            kind = attrs.get("type", "text" if tag == "input" else "submit").lower()
            name = attrs["name"]
            if kind == "file":
                self._form.files.add(name)
            elif kind in ("checkbox", "radio"):
                values = self._form.fields.setdefault(name, [])
                if "checked" in attrs:
                    values.append(attrs.get("value", "on"))
            elif kind in ("submit", "image"):
                # a button only counts for the fuzz; it is not sent by default
                self._form.fields.setdefault(name, [])
            else:
                self._form.fields.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._select_first = None
            self._select_chosen = False
            self._form.fields.setdefault(self._select, [])
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self._form.fields[self._select].append(value)
                self._select_chosen = True
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and self._select_first is not None:
                self._form.fields[self._select].append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.fields.setdefault(self._textarea, []).append("".join(self._text))
            self._textarea = None


@dataclass
class Target:
    """One place input goes: a form (its method, action, defaults) and the field to attack."""

    method: str
    path: str
    defaults: dict[str, list[str]]
    name: str

    def key(self) -> tuple[str, str, str]:
        return (self.method, self.path, self.name)


def _harvest(client: Client, login: Any, paths: list[str]) -> list[Target]:
    targets: dict[tuple[str, str, str], Target] = {}
    for path in paths:
        response = client.get(path)
        if not response.wsgi_request.user.is_authenticated:
            login()
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or "html" not in content_type:
            continue
        parser = FormParser(path)
        parser.feed(response.content.decode("utf-8", "replace"))
        for form in parser.forms:
            if not form.action.startswith("/") or form.action.startswith("/api/"):
                continue
            defaults = {name: values for name, values in form.fields.items() if values}
            if form.method == "post" and "/wylogowanie/" in form.action:
                continue  # logging out is not input
            for name in list(form.fields) + sorted(form.files):
                if name == "csrfmiddlewaretoken":
                    continue
                target = Target(form.method, form.action, defaults, name)
                targets.setdefault(target.key(), target)
        for name in sorted(parser.link_params | set(GENERIC_QUERY)):
            target = Target("get", path, {}, name)
            targets.setdefault(target.key(), target)
    return sorted(targets.values(), key=Target.key)


def _page_paths(request: Any) -> list[str]:
    from wspolnota.accounts.roles import Role
    from wspolnota.accounts.services import role_grant

    assignment = role_grant(
        actor=request.getfixturevalue("administrator"),
        user=request.getfixturevalue("resident"),
        role=Role.AUDITOR,
    )
    samples = _samples(request)
    paths = []
    for route, _name, args in _walk(get_resolver().url_patterns):
        if _skipped(route):
            continue
        paths.append("/" + _concrete(route, args, assignment.pk, samples))
    return sorted(set(paths))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", FUZZ_PERSONAS)
def test_no_form_field_or_query_parameter_gives_a_server_error(persona, request, krakow):
    paths = _page_paths(request)  # in Polish: form handling does not depend on the language
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = Client(raise_request_exception=False)

    def login() -> None:
        if user is not None:
            client.force_login(user)

    login()
    targets = _harvest(client, login, paths)
    failures: list[str] = []
    forms: dict[tuple[str, str], list[Target]] = {}
    for target in targets:
        forms.setdefault((target.method, target.path), []).append(target)

    # Every field of every form (and every query parameter of a page) at once, with each of the
    # grouped bad values.
    for value in GROUPED_BAD:
        for group in forms.values():
            _send(client, login, group, [value] * len(group), failures)

    # Bytes that are not UTF-8 at all, in the query string and in the form body.
    for (method, path), group in forms.items():
        raw = "&".join(f"{quote(t.name)}=%FF%FE%C0" for t in group)
        if method == "get":
            response = client.get(path, QUERY_STRING=raw)
        else:
            response = client.post(path, raw, content_type="application/x-www-form-urlencoded")
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {path} (bytes that are not UTF-8)")
        if not response.wsgi_request.user.is_authenticated:
            login()

    # Then hypothesis: each field and parameter on its own (a view may branch on which button
    # was pressed, or stop at the first bad parameter).
    @settings(
        max_examples=1,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def attack(data: st.DataObject) -> None:
        for (method, path), group in forms.items():
            for target in group:
                value = data.draw(hostile_text, label=f"{method} {path} {target.name}")
                _send(client, login, [target], [value], failures)

    attack()
    fields = sum(1 for t in targets if t.method == "post")
    params = len(targets) - fields
    print(f"\nfuzzed as {persona}: {fields} form fields, {params} query parameters")
    report = sorted(set(failures))
    print("\n".join(report[:200]))
    assert fields > 20 and params > 50  # anonymous sees fewer forms (log-in, sign-up, subscribe)
    assert report == []


def _send(
    client: Client, login: Any, group: list[Target], values: list[str], failures: list[str]
) -> None:
    target = group[0]
    data: dict[str, Any] = {k: list(v) for k, v in target.defaults.items()}
    for each, value in zip(group, values, strict=True):
        data[each.name] = [value]
    if target.method == "post":
        response = client.post(target.path, data)
    else:
        response = client.get(target.path, data)
    if not response.wsgi_request.user.is_authenticated:
        login()  # a fuzzed log-out (or password change) must not end the run
    if response.status_code >= 500:
        sent = ", ".join(f"{t.name}={v[:40]!r}" for t, v in zip(group, values, strict=True))
        failures.append(f"{target.method.upper()} {target.path} {sent}")


API_SAMPLES = {"year": "2025", "slug": "x", "indicator_code": "V.1"}


@pytest.mark.django_db
def test_no_api_parameter_gives_a_server_error(request, krakow):
    from wspolnota.api.api import api

    samples = _samples(request)
    schema = api.get_openapi_schema()
    client = Client(raise_request_exception=False)
    failures: list[str] = []
    targets: list[tuple[str, dict[str, str], str, str]] = []
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method != "get":
                continue
            params = operation.get("parameters", [])
            path_defaults = {
                p["name"]: str(samples.get(p["name"], API_SAMPLES.get(p["name"], "1")))
                for p in params
                if p["in"] == "path"
            }
            for p in params:
                targets.append((route, path_defaults, p["in"], p["name"]))

    def send(route: str, path_defaults: dict[str, str], where: str, name: str, value: str) -> None:
        values = dict(path_defaults)
        query = {}
        if where == "path":
            values[name] = value
        else:
            query[name] = value
        path = route
        for key, val in values.items():
            path = path.replace("{" + key + "}", quote(val, safe=""))
        response = client.get(path, query)
        if response.status_code >= 500:
            failures.append(f"GET {path} {name}={value[:40]!r}: {response.status_code}")
        elif response.status_code in (400, 422):
            assert response.json().get("detail"), path

    for value in KNOWN_BAD:
        for target in targets:
            send(*target, value)

    @settings(
        max_examples=10,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def attack(data: st.DataObject) -> None:
        for target in targets:
            send(*target, data.draw(hostile_text, label=f"{target[0]} {target[3]}"))

    attack()
    print(f"\nfuzzed the API: {len(targets)} parameters of {len(schema['paths'])} paths")
    assert len(targets) > 60
    report = sorted(set(failures))
    print("\n".join(report[:200]))
    assert report == []
