"""page facts and check errors: what the service phase reads of a page; checks that failed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('pageresult', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('check_errors', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pageresult', schema=None) as batch_op:
        batch_op.drop_column('check_errors')
        batch_op.drop_column('facts')
