"""dashboard indexes: covering indexes for the overview's aggregates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ('pageresult', 'ix_pageresult_service_run', ['service_id', 'run_id', 'status', 'serious_count']),
    ('pageresult', 'ix_pageresult_run_status', ['run_id', 'status', 'serious_count']),
    ('brandresult', 'ix_brandresult_service_run', ['service_id', 'run_id', 'passed']),
    ('brandresult', 'ix_brandresult_run_passed', ['run_id', 'passed']),
    ('feedback', 'ix_feedback_time_kind', ['received_at', 'kind', 'service_id', 'rating', 'useful']),
    ('issue', 'ix_issue_status_impact', ['status', 'impact', 'service_id']),
    ('issue', 'ix_issue_first_seen_run', ['first_seen_run_id']),
    ('issue', 'ix_issue_fixed_run', ['fixed_run_id']),
    ('journeyrun', 'ix_journeyrun_started_service', ['started_at', 'service_id']),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
