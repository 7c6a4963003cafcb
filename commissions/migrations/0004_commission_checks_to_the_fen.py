"""The conservation checks compare to the fen: exact on PostgreSQL (numeric), and still true on
SQLite, which keeps decimals as binary floats (10.80 + 5.40 + 1.80 is not exactly 18.0 there)."""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Round


def parts(prefix: str):
    return (
        F(f"{prefix}buyer_net")
        + F(f"{prefix}provider_net")
        + F(f"{prefix}upstream_net")
        + F(f"{prefix}platform_fee")
    )


class Migration(migrations.Migration):
    dependencies = [("commissions", "0003_ledger_guards")]

    operations = [
        migrations.RemoveConstraint(
            model_name="commission", name="commission_split_conserves_money"
        ),
        migrations.RemoveConstraint(
            model_name="commission", name="commission_posted_conserves_money"
        ),
        migrations.AddConstraint(
            model_name="commission",
            constraint=models.CheckConstraint(
                condition=models.Q(merchant_pays=Round(parts(""), 2)),
                name="commission_split_conserves_money",
            ),
        ),
        migrations.AddConstraint(
            model_name="commission",
            constraint=models.CheckConstraint(
                condition=models.Q(posted_merchant_pays=Round(parts("posted_"), 2)),
                name="commission_posted_conserves_money",
            ),
        ),
    ]
