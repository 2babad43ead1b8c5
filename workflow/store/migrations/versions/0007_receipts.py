"""every receipt of a submission

Revision ID: 0007
Revises: 0006

A body may answer a submission more than once (acknowledged, then adopted): each answer
becomes a row of ``receipts``. The answers already recorded (one per submission, in the
submission's receipt columns, which keep holding the latest) are copied in.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipts_submission_id'), ['submission_id'],
                              unique=False)
    op.execute(sa.text(
        "INSERT INTO receipts (submission_id, reference, outcome, note, recorded_by, "
        "received_at) SELECT id, receipt_ref, outcome, COALESCE(note, ''), '', "
        "COALESCE(received_at, submitted_at) FROM submissions WHERE receipt_ref <> '' "
        "ORDER BY id"))


def downgrade() -> None:
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipts_submission_id'))
    op.drop_table('receipts')
