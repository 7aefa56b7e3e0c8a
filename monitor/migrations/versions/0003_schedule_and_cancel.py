"""schedule and cancel: when each scheduled job last ran; a run can be asked to stop

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'scheduledjob',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('last_slot_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('last_started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('last_finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('last_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('last_run_id', sa.Integer(), nullable=True),
        sa.Column('runs', sa.Integer(), nullable=False, server_default='0'),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('cancel_requested', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.drop_column('cancel_requested')
    op.drop_table('scheduledjob')
