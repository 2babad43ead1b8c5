"""member roles as a relation

Revision ID: 0003
Revises: 0002

Each member's roles move from the comma-separated ``members.roles`` column into
``member_roles`` (one row per member and role). The old column is read first and dropped
before the new table refers to ``members``, because SQLite's batch mode drops and recreates
``members`` to drop a column.
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    held = [(member_id, role.strip())
            for member_id, roles in conn.execute(sa.text("SELECT id, roles FROM members"))
            for role in sorted(set((roles or "").split(","))) if role.strip()]
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('roles')
    member_roles = op.create_table(
        'member_roles',
        sa.Column('member_id', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
        sa.PrimaryKeyConstraint('member_id', 'role'),
    )
    with op.batch_alter_table('member_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_roles_role'), ['role'], unique=False)
    if held:
        op.bulk_insert(member_roles, [{"member_id": m, "role": r} for m, r in held])


def downgrade() -> None:
    conn = op.get_bind()
    held: dict[str, list[str]] = {}
    for member_id, role in conn.execute(sa.text("SELECT member_id, role FROM member_roles "
                                                "ORDER BY member_id, role")):
        held.setdefault(member_id, []).append(role)
    with op.batch_alter_table('member_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_roles_role'))
    op.drop_table('member_roles')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roles', sa.String(), nullable=False, server_default=''))
    for member_id, roles in held.items():
        conn.execute(sa.text("UPDATE members SET roles = :roles WHERE id = :id"),
                     {"roles": ",".join(roles), "id": member_id})
