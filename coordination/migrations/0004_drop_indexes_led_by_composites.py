"""Drop the foreign key indexes a composite index or unique constraint starting with
the same column already serves (campussafety.migration_ops).
"""

import django.db.models.deletion
from django.db import migrations, models

from campussafety.migration_ops import drop_indexes_keeping_constraints


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
        drop_indexes_keeping_constraints(
            INDEXES,
            [
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
