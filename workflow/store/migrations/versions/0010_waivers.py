"""parity findings set aside by a named member

Revision ID: 0010
Revises: 0011

``waivers``: one row per finding a member accepted with ``check --accept`` — the finding's
id (paragraph, rule, languages), what it said, the hash of the paragraph's texts it was
judged on, who and why. Append-only and bound to the audit chain like every fact.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'waivers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resolution_id', sa.Integer(), nullable=False),
        sa.Column('version_number', sa.Integer(), nullable=False),
        sa.Column('finding', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('paragraph_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('languages', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('texts_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('member_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['resolution_id'], ['resolutions.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waivers_resolution_id'), ['resolution_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waivers_resolution_id'))
    op.drop_table('waivers')
