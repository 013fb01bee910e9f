"""``field__in_array=values``: membership in a long list of values as one parameter.

Django's ``__in`` sends a placeholder per value, and both Django and psycopg spend time on each
(a third of a full rescoring's CPU with batches of 1,000 ids). On PostgreSQL this lookup sends
the list as one array (``field = ANY(%s)``); elsewhere it is a plain ``IN``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Lookup, Q


@dataclass(frozen=True, slots=True)
class Keys:
    """Integer keys already checked (``among`` makes them). Not a list, so that Django leaves
    it whole (it resolves each item of a list given to a lookup as a possible expression), and
    sent to PostgreSQL as one array literal rather than formatted item by item by psycopg: for
    a thousand keys, 1 ms less in each query."""

    values: tuple[int, ...]


class InArray(Lookup):
    lookup_name = "in_array"
    prepare_rhs = False

    def get_prep_lookup(self):
        if isinstance(self.rhs, Keys):
            return self.rhs
        field = self.lhs.output_field
        return [
            field.get_prep_value(value.pk if isinstance(value, models.Model) else value)
            for value in self.rhs
        ]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        if isinstance(self.rhs, Keys):
            values = list(self.rhs.values)
            if connection.vendor == "postgresql":
                array = "{" + ",".join(map(str, values)) + "}"
                return f"{lhs} = ANY(%s::{field.cast_db_type(connection)}[])", [*lhs_params, array]
        else:
            values = [
                field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs
            ]
            if connection.vendor == "postgresql":
                return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def among(field: str, values: Iterable[int]) -> Q:
    """``field`` (an integer key) among the given ids, bounded by their lowest and highest too:
    the database then reads the index between those two alone instead of filtering every row of
    the firm (a full rescoring reads its clients in batches of consecutive ids)."""
    keys = tuple(map(int, values))
    if not keys:
        return Q(pk__in=[])
    return Q(
        **{
            f"{field}__in_array": Keys(keys),
            f"{field}__gte": min(keys),
            f"{field}__lte": max(keys),
        }
    )


models.Field.register_lookup(InArray)
models.ForeignObject.register_lookup(InArray)  # related fields keep lookups of their own
