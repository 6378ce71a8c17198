"""The catalogue: controller profile, versioned purpose settings, Art. 13/14 notice texts.

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-12-01 07:30:00
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models

revision = "d4e5f6a7b8c9"
down_revision = "c3d4e5f6a7b8"
branch_labels = None
depends_on = None

OLD_IDENTITY = ("address", "phone", "dpo_email", "jurisdiction", "authority_name", "authority_url")
SETTINGS = ("marketing_related", "similar_products", "demo_addition", "retired")


def upgrade():
    with op.batch_alter_table("controllers") as batch_op:
        batch_op.add_column(sa.Column("profile", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("state_rebuilt_through", sa.Integer(), nullable=True))
    controllers = sa.table(
        "controllers",
        sa.column("id", sa.Integer),
        sa.column("profile", sa.JSON),
        sa.column("address", sa.JSON),
        sa.column("dpo_email", sa.String),
        sa.column("contact_email", sa.String),
        sa.column("jurisdiction", sa.String),
        sa.column("authority_name", sa.String),
        sa.column("authority_url", sa.String),
        sa.column("default_locale", sa.String),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(controllers)).mappings().all():
        address = row["address"] or {}
        street = ", ".join(
            str(address[key])
            for key in ("streetAddress", "postalCode", "addressLocality")
            if address.get(key)
        )
        profile = {
            "legal": {"registration": "", "address": street, "country": row["jurisdiction"]},
            "dpo": None
            if row["dpo_email"] == row["contact_email"]
            else {"name": "", "email": row["dpo_email"], "address": ""},
            "representative": None,
            "authorities": {
                row["jurisdiction"]: {
                    "name": row["authority_name"],
                    "url": row["authority_url"],
                    "complaint_url": row["authority_url"],
                    "default": True,
                }
            },
            "marketing_regulators": {},
            "locales": ["nl", "nb", "en"],
            "timezone": "Europe/Amsterdam",
            "branding": {},
            "unsubscribe_mailto": None,
            "webhooks": [],
        }
        connection.execute(
            controllers.update().where(controllers.c.id == row["id"]).values(profile=profile)
        )
    with op.batch_alter_table("controllers") as batch_op:
        batch_op.alter_column("profile", existing_type=sa.JSON(), nullable=False)
        for column in OLD_IDENTITY:
            batch_op.drop_column(column)

    with op.batch_alter_table("purposes") as batch_op:
        for column in SETTINGS:
            batch_op.add_column(
                sa.Column(column, sa.Boolean(), nullable=False, server_default=sa.false())
            )
    with op.batch_alter_table("notices") as batch_op:
        for column in ("lifetime", "retention", "recipients", "transfers", "source"):
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=True))

    op.create_table(
        "purpose_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose_id", sa.Integer(), nullable=False),
        sa.Column(
            "effective_at", consent.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("consent_lifetime", sa.String(length=32), nullable=True),
        sa.Column("double_opt_in", sa.Boolean(), nullable=False),
        sa.Column("marketing_related", sa.Boolean(), nullable=False),
        sa.Column("similar_products", sa.Boolean(), nullable=False),
        sa.Column("demo_addition", sa.Boolean(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["purpose_id"], ["purposes.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("purpose_settings") as batch_op:
        batch_op.create_index(
            "ix_purpose_settings_purpose", ["purpose_id", "effective_at"], unique=False
        )
    op.create_table(
        "catalogue_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("controller_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("applied_at", consent.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["controller_id"], ["controllers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("catalogue_changes") as batch_op:
        batch_op.create_index(
            "ix_catalogue_changes_controller_id", ["controller_id"], unique=False
        )
    # Every existing purpose gets its first version, in force since its first notice.
    op.execute(
        "INSERT INTO purpose_settings (purpose_id, effective_at, channels, consent_lifetime,"
        " double_opt_in, marketing_related, similar_products, demo_addition, retired)"
        " SELECT p.id, (SELECT MIN(n.created_at) FROM notices n WHERE n.purpose_id = p.id),"
        " p.channels, p.consent_lifetime, p.double_opt_in, p.marketing_related,"
        " p.similar_products, p.demo_addition, p.retired FROM purposes p"
    )


def downgrade():
    op.drop_table("catalogue_changes")
    op.drop_table("purpose_settings")
    with op.batch_alter_table("notices") as batch_op:
        for column in ("lifetime", "retention", "recipients", "transfers", "source"):
            batch_op.drop_column(column)
    with op.batch_alter_table("purposes") as batch_op:
        for column in SETTINGS:
            batch_op.drop_column(column)
    with op.batch_alter_table("controllers") as batch_op:
        batch_op.drop_column("state_rebuilt_through")
        batch_op.drop_column("profile")
        batch_op.add_column(sa.Column("address", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("dpo_email", sa.String(254), nullable=True))
        batch_op.add_column(sa.Column("jurisdiction", sa.String(8), nullable=True))
        batch_op.add_column(sa.Column("authority_name", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("authority_url", sa.String(500), nullable=True))
