"""Drop the foreign key indexes a composite index or unique constraint starting with
the same column already serves (campussafety.migration_ops).
"""

import django.db.models.deletion
from django.db import migrations, models

from campussafety.migration_ops import drop_indexes_keeping_constraints


INDEXES = [
    ("inspections_checklistitem_version_id_a69f0b4c", "inspections_checklistitem", "version_id"),
    (
        "inspections_checklistversion_template_id_97ccf377",
        "inspections_checklistversion",
        "template_id",
    ),
    ("inspections_checkpoint_school_id_d4d42d60", "inspections_checkpoint", "school_id"),
    ("inspections_hazard_school_id_4d589f0f", "inspections_hazard", "school_id"),
    ("inspections_hazardsequence_school_id_5c1a7020", "inspections_hazardsequence", "school_id"),
    ("inspections_round_school_id_2f2329aa", "inspections_round", "school_id"),
    ("inspections_scan_round_id_4a4309ed", "inspections_scan", "round_id"),
    (
        "inspections_supervisiondraw_district_id_b5b9bb5b",
        "inspections_supervisiondraw",
        "district_id",
    ),
    ("inspections_supervisionvisit_draw_id_d7774709", "inspections_supervisionvisit", "draw_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0010_hazard_ledger_order_indexes"),
        ("schools", "0009_drop_indexes_led_by_composites"),
    ]

    operations = [
        drop_indexes_keeping_constraints(
            INDEXES,
            [
                migrations.AlterField(
                    model_name="checklistitem",
                    name="version",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="inspections.checklistversion",
                        verbose_name="checklist version",
                    ),
                ),
                migrations.AlterField(
                    model_name="checklistversion",
                    name="template",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="inspections.checklisttemplate",
                        verbose_name="checklist template",
                    ),
                ),
                migrations.AlterField(
                    model_name="checkpoint",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="checkpoints",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hazards",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazardsequence",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="round",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rounds",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="scan",
                    name="round",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scans",
                        to="inspections.round",
                        verbose_name="round",
                    ),
                ),
                migrations.AlterField(
                    model_name="supervisiondraw",
                    name="district",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supervision_draws",
                        to="schools.district",
                        verbose_name="district",
                    ),
                ),
                migrations.AlterField(
                    model_name="supervisionvisit",
                    name="draw",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="visits",
                        to="inspections.supervisiondraw",
                        verbose_name="draw",
                    ),
                ),
            ],
        )
    ]
