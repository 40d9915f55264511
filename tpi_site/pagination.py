"""The API's limit/offset pagination, with bounds.

DRF's own class passes any ``limit`` and ``offset`` to the database; a number beyond a
64-bit integer (found by the schemathesis run) makes SQLite and PostgreSQL fail with a 500.
"""

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_OFFSET = 10**9  # far beyond any table here; a larger offset is an empty page anyway


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 1000

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), MAX_OFFSET)
