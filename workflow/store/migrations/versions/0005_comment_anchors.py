"""comments anchored in an annotated PDF

Revision ID: 0005
Revises: 0004

A comment read from a reviewer's annotated review copy keeps the language column it sits in
(``lang``), the text the reviewer marked (``quote``) and the hash of the annotation it came
from (``anchor``), so a second import of the same PDF stores nothing twice.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lang', sa.String(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('quote', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('anchor', sa.String(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('anchor')
        batch_op.drop_column('quote')
        batch_op.drop_column('lang')
