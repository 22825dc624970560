"""``__in`` on integer columns with a number no column can hold: no match, never a crash.

Django 5 already answers ``pk=9223372036854775808`` with "no such row"; ``pk__in=[…]`` still
sends the number to the database, where SQLite raises ``OverflowError`` and PostgreSQL "out of
range". A form's ``ModelMultipleChoiceField`` filters with ``pk__in``, so one tampered checkbox
value was a server error on every such form. The lookup below drops the values outside the
column's range before the query is built (they cannot match anything), as Django's own
``IntegerFieldOverflow`` does for ``exact``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            kept = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not kept:
                raise EmptyResultSet
            self.rhs = kept
        return super().as_sql(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
