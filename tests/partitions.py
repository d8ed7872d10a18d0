"""What the partition tests share: partitions exist on PostgreSQL only (SQLite keeps plain
tables)."""

import pytest
from django.db import connection

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's"
)
