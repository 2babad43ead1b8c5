"""database-enforced identity: on PostgreSQL the append function, the identity and
chain-binding triggers, and members' grants without INSERT on the chain

Revision ID: 0012
Revises: 0010

The objects themselves are made by ``workflow.store.pgroles.ensure_database_roles`` (one
definition, also run after every migration); this revision makes an existing database get
them, and takes back from members the direct INSERT into ``audit_events`` and UPDATE of
``audit_head`` they had. SQLite: nothing to do (nothing authenticates a member there).
"""
from alembic import op

revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from workflow.store.pgroles import ensure_database_roles

    ensure_database_roles(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from workflow.store.facts import FACT_TABLES
    from workflow.store.pgrules import IDENTITY

    op.execute('DROP TRIGGER IF EXISTS event_links ON "audit_events"')
    op.execute('DROP TRIGGER IF EXISTS head_follows ON "audit_head"')
    op.execute('DROP TRIGGER IF EXISTS head_no_truncate ON "audit_head"')
    for table, column, _ in IDENTITY:
        op.execute(f'DROP TRIGGER IF EXISTS identity_{column} ON "{table}"')
    for table in FACT_TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS bound_to_chain ON "{table}"')
