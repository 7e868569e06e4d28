"""Drop the foreign key indexes a composite index or unique constraint starting with
the same column already serves (campussafety.migration_ops).
"""

import django.db.models.deletion
from django.db import migrations, models

from campussafety.migration_ops import drop_indexes_keeping_constraints


INDEXES = [
    ("equipment_alarmtest_school_id_8d003d66", "equipment_alarmtest", "school_id"),
    (
        "equipment_extinguisheranswer_check_run_id_69c88fa7",
        "equipment_extinguisheranswer",
        "check_run_id",
    ),
    ("equipment_item_school_id_4fe2d21d", "equipment_item", "school_id"),
    ("equipment_kitconfirmation_location_id_814eea02", "equipment_kitconfirmation", "location_id"),
    ("equipment_kitshortage_confirmation_id_a14856a9", "equipment_kitshortage", "confirmation_id"),
    ("equipment_kitshortage_school_id_f1744557", "equipment_kitshortage", "school_id"),
    ("equipment_location_school_id_9b15124d", "equipment_location", "school_id"),
    ("equipment_movement_item_id_162d570c", "equipment_movement", "item_id"),
    ("equipment_movement_school_id_6084dd83", "equipment_movement", "school_id"),
    ("equipment_servicerecord_school_id_5a36dac9", "equipment_servicerecord", "school_id"),
    ("equipment_stockbalance_location_id_13ef6aee", "equipment_stockbalance", "location_id"),
    ("equipment_videocheck_school_id_5422428e", "equipment_videocheck", "school_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("equipment", "0005_default_extinguisher_rule"),
        ("schools", "0009_drop_indexes_led_by_composites"),
    ]

    operations = [
        drop_indexes_keeping_constraints(
            INDEXES,
            [
                migrations.AlterField(
                    model_name="alarmtest",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(app_label)s_%(class)ss",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="extinguisheranswer",
                    name="check_run",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="equipment.extinguishercheck",
                        verbose_name="extinguisher check",
                    ),
                ),
                migrations.AlterField(
                    model_name="item",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="equipment_items",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="kitconfirmation",
                    name="location",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="kit_confirmations",
                        to="equipment.location",
                        verbose_name="location",
                    ),
                ),
                migrations.AlterField(
                    model_name="kitshortage",
                    name="confirmation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shortages",
                        to="equipment.kitconfirmation",
                        verbose_name="kit confirmation",
                    ),
                ),
                migrations.AlterField(
                    model_name="kitshortage",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="kit_shortages",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="location",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="equipment_locations",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="movement",
                    name="item",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="movements",
                        to="equipment.item",
                        verbose_name="item",
                    ),
                ),
                migrations.AlterField(
                    model_name="movement",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="equipment_movements",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="servicerecord",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(app_label)s_%(class)ss",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="stockbalance",
                    name="location",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="balances",
                        to="equipment.location",
                        verbose_name="location",
                    ),
                ),
                migrations.AlterField(
                    model_name="videocheck",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(app_label)s_%(class)ss",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
            ],
        )
    ]
