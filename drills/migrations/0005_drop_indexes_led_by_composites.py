"""Drop the foreign key indexes a composite index or unique constraint starting with
the same column already serves (campussafety.migration_ops).
"""

import django.db.models.deletion
from django.db import migrations, models

from campussafety.migration_ops import drop_indexes_keeping_constraints


INDEXES = [
    ("drills_classheadcount_drill_id_135814d9", "drills_classheadcount", "drill_id"),
    ("drills_drill_school_id_347c6412", "drills_drill", "school_id"),
    ("drills_emergencyplan_school_id_a1ab1f8f", "drills_emergencyplan", "school_id"),
    ("drills_trainingattendee_member_id_87c5f452", "drills_trainingattendee", "member_id"),
    ("drills_trainingattendee_session_id_87d8c975", "drills_trainingattendee", "session_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("drills", "0004_plan_documents_training_attendees"),
        ("posts", "0011_drop_indexes_led_by_composites"),
        ("schools", "0009_drop_indexes_led_by_composites"),
    ]

    operations = [
        drop_indexes_keeping_constraints(
            INDEXES,
            [
                migrations.AlterField(
                    model_name="classheadcount",
                    name="drill",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="headcounts",
                        to="drills.drill",
                        verbose_name="drill",
                    ),
                ),
                migrations.AlterField(
                    model_name="drill",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="drills",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="emergencyplan",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emergency_plans",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="trainingattendee",
                    name="member",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="training_attendances",
                        to="posts.member",
                        verbose_name="post member",
                    ),
                ),
                migrations.AlterField(
                    model_name="trainingattendee",
                    name="session",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attendees",
                        to="drills.trainingsession",
                        verbose_name="training session",
                    ),
                ),
            ],
        )
    ]
