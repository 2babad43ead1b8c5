"""the shared store: blobs, named shared files, the secretariat's secrets

Revision ID: 0013
Revises: 0012

On a shared (PostgreSQL) deployment every file the engine keeps is reachable from every
machine attached to the working group: ``blobs`` holds the bytes, named by their SHA-256
(the content-addressed store, evidence, messages, packages); ``shared_files`` names the
files that live under a path of the workspace folder (the trust store, the CA's certificate
and CRL, the seal's certificate, the outbox, submission folders, dossier export records,
``resolutions.toml``); ``workspace_secrets`` keeps the binding secret and the export-record
seal, which PostgreSQL shows only to the roles that need them. On SQLite the tables stay
empty: the workspace folder is the store.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'blobs',
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('stored_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('sha256'),
    )
    op.create_table(
        'shared_files',
        sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('mode', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('path'),
    )
    op.create_table(
        'workspace_secrets',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('value', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('workspace_secrets')
    op.drop_table('shared_files')
    op.drop_table('blobs')
