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
    ("coordination_activity_school_id_d559b9be", "coordination_activity", "school_id"),
    ("coordination_factorshare_factor_id_070aeb8d", "coordination_factorshare", "factor_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0003_meeting_cadence"),
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
                    model_name="activity",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="legal_vp_activities",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="factorshare",
                    name="factor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shares",
                        to="coordination.factor",
                        verbose_name="factor",
                    ),
                ),
            ],
        )
    ]
