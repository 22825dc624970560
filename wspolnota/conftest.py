"""Shared fixtures: Kraków's districts, personas of every role, the SMS outbox, a browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from wspolnota.accounts.models import User
from wspolnota.accounts.roles import Role
from wspolnota.communication.transports import memory_outbox
from wspolnota.territory.models import District
from wspolnota.tests_support.factories import (
    CityUnitFactory,
    RoleAssignmentFactory,
    UserFactory,
)

PASSWORD = "correct-horse-battery"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets its own Redis database (see tests_support/xdist.py);
    test modules read REDIS_TEST_URL when they are imported, which is after this hook."""
    from wspolnota.tests_support.xdist import per_worker_redis_url, worker_index

    url = os.environ.get("REDIS_TEST_URL")
    if url and "PYTEST_XDIST_WORKER" in os.environ:
        os.environ.setdefault("WSP_REDIS_TEST_URL_GIVEN", url)
        try:
            os.environ["REDIS_TEST_URL"] = per_worker_redis_url(url, worker_index())
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from exc


# Fixtures that give a test the database (pytest-django's); a test without any of them and
# without the ``django_db`` mark cannot touch it.
_DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def uses_database(item: pytest.Item) -> bool:
    """Does this test touch the database (the ``django_db`` mark, a database fixture, or a
    Django ``TransactionTestCase``)? pytest-django blocks the database for any other test, so
    one that answers no would fail if it tried."""
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    if isinstance(cls, type) and issubclass(cls, TransactionTestCase):
        return True
    return bool(
        item.get_closest_marker("django_db")
        or _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out, on request, tests that a second pass on another database would only repeat.

    CI runs the suite twice, on PostgreSQL and on SQLite. ``WSP_BROWSER=0`` leaves out the tests
    marked ``browser`` (headless Chromium with axe-core: pages, keyboard use and accessibility,
    which do not depend on the database); ``WSP_DATABASE_ONLY=1`` leaves out every test that
    touches no database at all (catalogues, settings checks, counting replays: the same on any
    database). CI's SQLite pass uses both, since its PostgreSQL pass ran them (like the votecount
    package's own suite). ``./wsp test`` runs everything.
    """
    skip_browser = os.environ.get("WSP_BROWSER", "1") == "0"
    database_only = os.environ.get("WSP_DATABASE_ONLY", "0") == "1"
    if not (skip_browser or database_only):
        return
    kept, left_out = [], []
    for item in items:
        leave = (skip_browser and item.get_closest_marker("browser")) or (
            database_only and not uses_database(item)
        )
        (left_out if leave else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request to /uk/… must not leave Ukrainian active for the next test on the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploaded and generated files of a test go to its own folder, never to var/media; whatever
    reads settings.VAR_DIR (spools, checkpoints) writes under the test's folder too, so parallel
    workers never share a file."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture(autouse=True)
def _clean_outbox_and_cache() -> Iterator[None]:
    from django.core.cache import cache

    memory_outbox.clear()
    cache.clear()
    yield
    memory_outbox.clear()


@pytest.fixture
def krakow(db: Any) -> dict[int, District]:
    """Kraków and its 18 districts, loaded from the shipped GeoJSON and CSV."""
    from wspolnota.territory.services import krakow_load

    krakow_load()
    return {d.number: d for d in District.objects.all()}


def _persona(
    krakow: dict[int, District], role: Role | None, *, home: int = 1, **scope: Any
) -> User:
    user = UserFactory(district=krakow[home], password=PASSWORD)
    if role is not None:
        RoleAssignmentFactory(user=user, role=role, **scope)
    return user


@pytest.fixture
def resident(krakow: dict[int, District]) -> User:
    return _persona(krakow, None, home=1)


@pytest.fixture
def resident_other_district(krakow: dict[int, District]) -> User:
    return _persona(krakow, None, home=18)


@pytest.fixture
def official(krakow: dict[int, District]) -> User:
    return _persona(krakow, Role.OFFICIAL, city_unit=CityUnitFactory())


@pytest.fixture
def district_councillor(krakow: dict[int, District]) -> User:
    return _persona(krakow, Role.DISTRICT_COUNCILLOR, home=1, district=krakow[1])


@pytest.fixture
def moderator(krakow: dict[int, District]) -> User:
    return _persona(krakow, Role.MODERATOR)


@pytest.fixture
def ngo_member(krakow: dict[int, District]) -> User:
    return _persona(krakow, Role.NGO_MEMBER)


@pytest.fixture
def auditor(krakow: dict[int, District]) -> User:
    return _persona(krakow, Role.AUDITOR)


@pytest.fixture
def administrator(krakow: dict[int, District]) -> User:
    return _persona(krakow, Role.ADMINISTRATOR)


PERSONAS = [
    "anonymous",
    "resident",
    "resident_other_district",
    "official",
    "district_councillor",
    "moderator",
    "ngo_member",
    "auditor",
    "administrator",
]


@pytest.fixture
def client_for(request: pytest.FixtureRequest) -> Any:
    """``client_for("official")`` gives a test client logged in as that persona."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            user = request.getfixturevalue(persona)
            client.force_login(user)
        return client

    return make


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's package) for the whole session."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium is not installed: run ./wsp test, which installs the Debian package")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
