"""PostgreSQL only: a trigram index for the search box's LIKE '%word%' on the folded text.

Without it every search reads the whole table; with it PostgreSQL answers from the index.
SQLite has no such index type: the migration does nothing there. pg_trgm is a trusted
extension (PostgreSQL 13+), so the database owner may create it; if that is refused, the
index is skipped and search still works, only slower on a large table.
"""

from django.db import migrations, transaction
from django.db.utils import DatabaseError


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS portal_article_search_trgm"
                " ON portal_article USING gin (search_text gin_trgm_ops)"
            )
    except DatabaseError:
        pass  # no right to create the extension: search works without the index


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS portal_article_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
