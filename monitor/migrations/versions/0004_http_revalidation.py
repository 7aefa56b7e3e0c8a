"""http revalidation: what a static page's rendering depends on; results carried over HTTP

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revalidation', sa.JSON(), nullable=True))
    with op.batch_alter_table('pageresult', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('revalidated', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('pages_revalidated', sa.Integer(), nullable=False, server_default='0')
        )


def downgrade() -> None:
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.drop_column('pages_revalidated')
    with op.batch_alter_table('pageresult', schema=None) as batch_op:
        batch_op.drop_column('revalidated')
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.drop_column('revalidation')
