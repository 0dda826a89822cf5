"""Migration operations that only PostgreSQL runs: the trigram extension and its indexes.

SQLite has neither, and its search reads the same stored documents without an index (a few
thousand rows), so on SQLite these operations do nothing.
"""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """``RunSQL`` that runs on PostgreSQL and is skipped elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_extension() -> PostgresOnlySQL:
    return PostgresOnlySQL(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop
    )


def trigram_index(table: str, column: str, name: str) -> PostgresOnlySQL:
    """A GIN trigram index: it answers ``column LIKE '%text%'``."""
    return PostgresOnlySQL(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)",
        reverse_sql=f"DROP INDEX IF EXISTS {name}",
    )
