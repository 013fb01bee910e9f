"""The scores' table leaves room on its pages for a rescoring's new row versions (HOT updates:
no index entry written), on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from scoring.models import ClientScore


@pytest.mark.django_db
def test_the_scores_table_keeps_half_of_each_page_free():
    if connection.vendor != "postgresql":
        pytest.skip("a storage parameter of PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
            [ClientScore._meta.db_table],
        )
        (options,) = cursor.fetchone()
    assert "fillfactor=50" in options
