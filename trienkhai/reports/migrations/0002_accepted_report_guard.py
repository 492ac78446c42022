"""The database's own guard of the lock: an accepted report's content and figures cannot
change, whatever path the write takes (a bulk update, raw SQL, a future job).

PostgreSQL also refuses to delete an accepted report or its figures. SQLite does not: Django
empties SQLite tables with DELETE (PostgreSQL with TRUNCATE, which row triggers ignore), and
a test database must stay flushable. No code path deletes reports; ``Report.delete`` and
``Value.delete`` refuse accepted ones on both databases. ``maintenance.purge_rounds`` (test
data, retention) lifts the PostgreSQL guard for its own transaction only, with
``SET LOCAL trienkhai.reports_unlock = 'on'``."""

from django.db import migrations

LOCKED = ["round_id", "unit_id", "narrative", "symbol", "place", "signer_name",
          "signer_title", "recipients", "version"]

PG_FORWARD = [
    # no "%" anywhere: the statements go through a cursor that reads it as a placeholder
    """
    CREATE OR REPLACE FUNCTION reports_report_locked() RETURNS trigger AS $$
    BEGIN
        IF current_setting('trienkhai.reports_unlock', true) = 'on' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING
            MESSAGE = 'report ' || OLD.id || ' is accepted: it is locked',
            ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION reports_value_locked() RETURNS trigger AS $$
    DECLARE rid bigint;
    BEGIN
        IF current_setting('trienkhai.reports_unlock', true) = 'on' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' THEN rid := OLD.report_id; ELSE rid := NEW.report_id; END IF;
        IF EXISTS (SELECT 1 FROM reports_report WHERE id = rid AND state = 'accepted')
           OR (TG_OP = 'UPDATE' AND EXISTS (
               SELECT 1 FROM reports_report WHERE id = OLD.report_id AND state = 'accepted'))
        THEN
            RAISE EXCEPTION USING
                MESSAGE = 'report ' || rid || ' is accepted: its figures are locked',
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER reports_report_lock_update BEFORE UPDATE ON reports_report FOR EACH ROW"
    " WHEN (OLD.state = 'accepted' AND NEW.state = 'accepted' AND ("
    + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in LOCKED)
    + ")) EXECUTE FUNCTION reports_report_locked()",
    "CREATE TRIGGER reports_report_lock_delete BEFORE DELETE ON reports_report FOR EACH ROW"
    " WHEN (OLD.state = 'accepted') EXECUTE FUNCTION reports_report_locked()",
    "CREATE TRIGGER reports_value_lock BEFORE INSERT OR UPDATE OR DELETE ON reports_value"
    " FOR EACH ROW EXECUTE FUNCTION reports_value_locked()",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS reports_value_lock ON reports_value",
    "DROP TRIGGER IF EXISTS reports_report_lock_delete ON reports_report",
    "DROP TRIGGER IF EXISTS reports_report_lock_update ON reports_report",
    "DROP FUNCTION IF EXISTS reports_value_locked()",
    "DROP FUNCTION IF EXISTS reports_report_locked()",
]

_ACCEPTED = "(SELECT state FROM reports_report WHERE id = {row}.report_id) = 'accepted'"
SQLITE_FORWARD = [
    "CREATE TRIGGER reports_report_lock_update BEFORE UPDATE ON reports_report FOR EACH ROW"
    " WHEN OLD.state = 'accepted' AND NEW.state = 'accepted' AND ("
    + " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in LOCKED)
    + ") BEGIN SELECT RAISE(ABORT, 'report is accepted: it is locked'); END",
    "CREATE TRIGGER reports_value_lock_insert BEFORE INSERT ON reports_value FOR EACH ROW"
    f" WHEN {_ACCEPTED.format(row='NEW')}"
    " BEGIN SELECT RAISE(ABORT, 'report is accepted: its figures are locked'); END",
    "CREATE TRIGGER reports_value_lock_update BEFORE UPDATE ON reports_value FOR EACH ROW"
    f" WHEN {_ACCEPTED.format(row='OLD')} OR {_ACCEPTED.format(row='NEW')}"
    " BEGIN SELECT RAISE(ABORT, 'report is accepted: its figures are locked'); END",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "reports_report_lock_update",
        "reports_value_lock_insert",
        "reports_value_lock_update",
    )
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_forms_rounds_reports")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
