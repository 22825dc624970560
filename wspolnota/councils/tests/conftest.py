"""Each test starts in Polish: a request in another language must not leak into the next test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _polish() -> Iterator[None]:
    with translation.override("pl"):
        yield
