"""The views give readers a rate as a percentage to one decimal (``percent``) and a count as a whole
number (``count``; ``count_*`` in ``v_esf_by_gender``), beside the exact ``value``.

The views are made from ``views.py`` (a publish remakes them too); this revision makes them here so
that every path to 0003 has them, a refresh of the steward tables included. On PostgreSQL the new
columns come at the end, so CREATE OR REPLACE keeps the grants readers already have.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from transforms.publish.warehouse.views import replace_views

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    replace_views(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("views are made from the current code: check out the older code and publish")
