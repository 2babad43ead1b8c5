"""members can be deactivated

Revision ID: 0006
Revises: 0005

``members.active``: a member removed from the working group who has a history (events,
comments, approvals, signatures) stays as a row, deactivated, so that what they did still
names them; every existing member is active.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite has it): batch mode would copy ``members`` to a new table,
    # which the foreign keys from ``member_roles`` refuse
    op.add_column('members', sa.Column('active', sa.Boolean(), nullable=False,
                                       server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('active')
