"""Index a digest's user (unread) and school, and an item's school, only where they are
set: a member's morning roster digest and item have neither, and each paid an index
entry for nothing, 26,000 a morning at 3,000 schools. The foreign key constraints stay
(campussafety.migration_ops)."""

import django.db.models.deletion
from django.db import migrations, models

from campussafety.migration_ops import drop_indexes_keeping_constraints


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0006_drop_indexes_served_by_constraints"),
        ("schools", "0009_drop_indexes_led_by_composites"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="notification_unread_idx"),
        drop_indexes_keeping_constraints(
            [
                (
                    "reminders_notification_school_id_e14fdcbd",
                    "reminders_notification",
                    "school_id",
                ),
                (
                    "reminders_notificationitem_school_id_0dcde4d8",
                    "reminders_notificationitem",
                    "school_id",
                ),
            ],
            [
                migrations.AlterField(
                    model_name="notification",
                    name="school",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Set when every item is about the same school.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="notificationitem",
                    name="school",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True), ("user__isnull", False)),
                fields=["user"],
                name="notification_unread_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("school__isnull", False)),
                fields=["school"],
                name="notification_school_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="notificationitem",
            index=models.Index(
                condition=models.Q(("school__isnull", False)),
                fields=["school"],
                name="notification_item_school_idx",
            ),
        ),
    ]
