"""the search index: every version's paragraphs, in every language

Revision ID: 0011
Revises: 0007

``search_texts`` holds each distinct paragraph text once (as printed, folded, and its
Chinese character pairs); ``search_spans`` says in which resolution, paragraph, language
and versions it stands (docs: workflow/search/index.py). SQLite indexes the texts in two
FTS5 tables kept by triggers — trigrams of the folded text, and the pairs —; PostgreSQL in
two GIN indexes (``pg_trgm`` over the folded text, a ``simple`` text search vector over
the pairs). Every version already stored is indexed here.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None

_SQLITE = [
    "CREATE VIRTUAL TABLE search_trigrams USING fts5(folded, content='search_texts', "
    "content_rowid='id', tokenize='trigram case_sensitive 1')",
    "CREATE VIRTUAL TABLE search_pairs USING fts5(grams, content='search_texts', "
    "content_rowid='id', tokenize='unicode61', detail='none')",
    "CREATE TRIGGER search_texts_indexed AFTER INSERT ON search_texts BEGIN "
    "INSERT INTO search_trigrams(rowid, folded) VALUES (new.id, new.folded); "
    "INSERT INTO search_pairs(rowid, grams) SELECT new.id, new.grams WHERE new.grams <> ''; "
    "END",
]
_POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_search_texts_trigrams ON search_texts USING gin (folded gin_trgm_ops)",
    "CREATE INDEX ix_search_texts_pairs ON search_texts "
    "USING gin (to_tsvector('simple'::regconfig, grams))",
]


def upgrade() -> None:
    op.create_table(
        'search_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=16), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('folded', sa.Text(), nullable=False),
        sa.Column('grams', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('digest'),
    )
    op.create_table(
        'search_spans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resolution_id', sa.Integer(), nullable=False),
        sa.Column('para_id', sa.String(length=160), nullable=False),
        sa.Column('lang', sa.String(length=16), nullable=False),
        sa.Column('ref', sa.String(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text_id', sa.Integer(), nullable=False),
        sa.Column('first_version', sa.Integer(), nullable=False),
        sa.Column('last_version', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['resolution_id'], ['resolutions.id']),
        sa.ForeignKeyConstraint(['text_id'], ['search_texts.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_search_spans_text', 'search_spans', ['text_id'])
    op.create_index('ix_search_spans_place', 'search_spans',
                    ['resolution_id', 'para_id', 'last_version'])
    op.create_index('ix_search_spans_last', 'search_spans', ['resolution_id', 'last_version'])
    bind = op.get_bind()
    for statement in (_SQLITE if bind.dialect.name == "sqlite" else _POSTGRESQL):
        op.execute(sa.text(statement))
    from workflow.store.search_index import rebuild

    rebuild(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(sa.text("DROP TRIGGER IF EXISTS search_texts_indexed"))
        op.execute(sa.text("DROP TABLE IF EXISTS search_trigrams"))
        op.execute(sa.text("DROP TABLE IF EXISTS search_pairs"))
    op.drop_table('search_spans')
    op.drop_table('search_texts')
