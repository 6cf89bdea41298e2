"""The warehouse keeps its publication state (inputs fingerprint, periods, threshold) beside the numbers.

Also drops the restricted table where the earliest versions kept it, beside the published tables.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from sqlalchemy import BigInteger, Column, PrimaryKeyConstraint, Text

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS indicator_values_restricted")
    op.create_table(
        "publication_state",
        Column("state_no", BigInteger, nullable=False, autoincrement=False),
        Column("entry_no", BigInteger, nullable=False),
        Column("fingerprint", Text, nullable=False),
        Column("periods_on_record", Text, nullable=False),
        Column("threshold", BigInteger, nullable=True),
        PrimaryKeyConstraint("state_no", name="pk_publication_state"),
    )


def downgrade() -> None:
    op.drop_table("publication_state")
