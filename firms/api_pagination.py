"""The API's pages (a module of its own: DRF's settings import it while DRF's views load)."""

from __future__ import annotations

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's pages, with the ``page`` parameter documented as what it is: a number from 1 (any
    other value is a 404, as a page past the last one)."""

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
