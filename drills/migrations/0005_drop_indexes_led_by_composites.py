"""Drop the single-column foreign key indexes that a composite index or unique
constraint starting with the same column already serves (the planner uses the
composite for lookups by the key alone). Each cost every insert an index entry.
tests/test_schema_indexes.py finds any such index.

Only the indexes go (the database operations); the foreign key constraints stay
as they are. Django's own AlterField would drop and re-add each constraint, which
re-checks every row of tables holding millions (a province's shifts and logs)
under an exclusive lock.
"""

import django.db.models.deletion
from django.db import migrations, models


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
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name, _table, _column in INDEXES],
                    # Back: each index as Django had named and made it.
                    [
                        f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                        for name, table, column in INDEXES
                    ],
                )
            ],
            state_operations=[
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
