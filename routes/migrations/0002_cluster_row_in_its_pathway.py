"""Tie a cluster's pathway to its row's in the database itself.

A cluster stores both ``pathway`` (read by every map query) and ``row`` (whose pathway is known);
this makes the row's pathway the one source of truth. On PostgreSQL a composite foreign key
(row, pathway) → cluster group (id, pathway) refuses a mismatch, and a row moved to another
pathway carries its clusters with it (ON UPDATE CASCADE). SQLite has no way to add a foreign key
to a table, so triggers do the same. The tables keep their names; no data changes.
"""

from django.db import migrations

POSTGRESQL = [
    "ALTER TABLE routes_clustergroup ADD CONSTRAINT clustergroup_id_pathway_unique "
    "UNIQUE (id, pathway_id)",
    "ALTER TABLE routes_cluster ADD CONSTRAINT cluster_row_in_its_pathway "
    "FOREIGN KEY (row_id, pathway_id) REFERENCES routes_clustergroup (id, pathway_id) "
    "ON UPDATE CASCADE ON DELETE CASCADE",
]
POSTGRESQL_REVERSE = [
    "ALTER TABLE routes_cluster DROP CONSTRAINT cluster_row_in_its_pathway",
    "ALTER TABLE routes_clustergroup DROP CONSTRAINT clustergroup_id_pathway_unique",
]

MISMATCH = (
    "NEW.pathway_id IS NOT (SELECT pathway_id FROM routes_clustergroup WHERE id = NEW.row_id)"
)
REFUSE = "SELECT RAISE(ABORT, 'cluster_row_in_its_pathway: a cluster is in its row''s pathway')"
SQLITE = [
    f"CREATE TRIGGER cluster_row_in_its_pathway_insert BEFORE INSERT ON routes_cluster "
    f"FOR EACH ROW WHEN {MISMATCH} BEGIN {REFUSE}; END",
    f"CREATE TRIGGER cluster_row_in_its_pathway_update BEFORE UPDATE OF row_id, pathway_id "
    f"ON routes_cluster FOR EACH ROW WHEN {MISMATCH} BEGIN {REFUSE}; END",
    "CREATE TRIGGER clustergroup_pathway_carries_clusters AFTER UPDATE OF pathway_id "
    "ON routes_clustergroup FOR EACH ROW WHEN NEW.pathway_id IS NOT OLD.pathway_id BEGIN "
    "UPDATE routes_cluster SET pathway_id = NEW.pathway_id WHERE row_id = NEW.id; END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS cluster_row_in_its_pathway_insert",
    "DROP TRIGGER IF EXISTS cluster_row_in_its_pathway_update",
    "DROP TRIGGER IF EXISTS clustergroup_pathway_carries_clusters",
]


def run(statements: dict):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("routes", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
