"""Keyed audit chain: mark which events are HMAC-keyed; refuse TRUNCATE and head deletion.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PG_PROTECT = """
CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% cannot be truncated', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE OR REPLACE FUNCTION audit_head_keep() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_head cannot be deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_keep();
"""

PG_UNPROTECT = """
DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_head;
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head;
DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
DROP FUNCTION IF EXISTS audit_head_keep();
DROP FUNCTION IF EXISTS audit_refuse_truncate();
"""

SQLITE_PROTECT = (
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
    "BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END"
)


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: a batch rebuild on SQLite would drop the append-only triggers.
    op.add_column("audit_events", sa.Column("keyed", sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_PROTECT)
    else:
        op.execute(SQLITE_PROTECT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_UNPROTECT)
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_delete")
    # Plain DROP COLUMN (SQLite 3.35+), not batch mode, for the same reason as in upgrade().
    op.drop_column("audit_events", "keyed")
