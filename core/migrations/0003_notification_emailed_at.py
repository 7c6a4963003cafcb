from django.db import migrations, models
from django.db.models import F


def mark_existing_as_emailed(apps, schema_editor):
    """Notices made before this migration were mailed inline when they committed: stamp them,
    so the sweeper (which re-sends unmailed notices of the last day) does not mail them again."""
    Notification = apps.get_model("core", "Notification")
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("core", "0002_notification"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="emailed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the mail task claimed this notice; set once, so it is mailed once.",
                null=True,
            ),
        ),
        # Backwards the column is dropped, stamps and all: nothing to undo.
        migrations.RunPython(mark_existing_as_emailed, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("emailed_at__isnull", True)),
                fields=["created_at"],
                name="core_notification_unmailed",
            ),
        ),
    ]
