"""signed-in pages: a page result says whether it was seen in the service's signed-in session

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('pageresult', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('signed_in', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('pageresult', schema=None) as batch_op:
        batch_op.drop_column('signed_in')
