"""Drop the foreign key indexes a composite index or unique constraint starting with
the same column already serves (campussafety.migration_ops).
"""

import django.db.models.deletion
from django.db import migrations, models

from campussafety.migration_ops import drop_indexes_keeping_constraints


INDEXES = [
    ("schools_calendarexception_city_id_b9b7b09b", "schools_calendarexception", "city_id"),
    ("schools_calendarexception_district_id_aa1bdcde", "schools_calendarexception", "district_id"),
    ("schools_calendarexception_school_id_e72239f2", "schools_calendarexception", "school_id"),
    ("schools_district_city_id_68b6dd3f", "schools_district", "city_id"),
    ("schools_gate_school_id_05e1a315", "schools_gate", "school_id"),
    ("schools_obligationcompletion_rule_id_ddd96d18", "schools_obligationcompletion", "rule_id"),
    ("schools_obligationexcuse_rule_id_cbc7b4dd", "schools_obligationexcuse", "rule_id"),
    ("schools_obligationoverride_rule_id_1ab58349", "schools_obligationoverride", "rule_id"),
    ("schools_obligationwindow_rule_id_a86d9283", "schools_obligationwindow", "rule_id"),
    ("schools_policestation_district_id_922ed0c1", "schools_policestation", "district_id"),
    ("schools_school_district_id_54f50ed9", "schools_school", "district_id"),
    ("schools_term_city_id_4ae9a676", "schools_term", "city_id"),
    ("schools_term_district_id_3bc292f9", "schools_term", "district_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0008_obligationwindow_end_index"),
    ]

    operations = [
        drop_indexes_keeping_constraints(
            INDEXES,
            [
                migrations.AlterField(
                    model_name="calendarexception",
                    name="city",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_exceptions",
                        to="schools.city",
                        verbose_name="city",
                    ),
                ),
                migrations.AlterField(
                    model_name="calendarexception",
                    name="district",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_exceptions",
                        to="schools.district",
                        verbose_name="district",
                    ),
                ),
                migrations.AlterField(
                    model_name="calendarexception",
                    name="school",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_exceptions",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="district",
                    name="city",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="districts",
                        to="schools.city",
                        verbose_name="city",
                    ),
                ),
                migrations.AlterField(
                    model_name="gate",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="gates",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="obligationcompletion",
                    name="rule",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="completions",
                        to="schools.obligationrule",
                        verbose_name="obligation rule",
                    ),
                ),
                migrations.AlterField(
                    model_name="obligationexcuse",
                    name="rule",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="excuses",
                        to="schools.obligationrule",
                        verbose_name="obligation rule",
                    ),
                ),
                migrations.AlterField(
                    model_name="obligationoverride",
                    name="rule",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="overrides",
                        to="schools.obligationrule",
                        verbose_name="obligation rule",
                    ),
                ),
                migrations.AlterField(
                    model_name="obligationwindow",
                    name="rule",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="windows",
                        to="schools.obligationrule",
                        verbose_name="obligation rule",
                    ),
                ),
                migrations.AlterField(
                    model_name="policestation",
                    name="district",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="police_stations",
                        to="schools.district",
                        verbose_name="district",
                    ),
                ),
                migrations.AlterField(
                    model_name="school",
                    name="district",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="schools",
                        to="schools.district",
                        verbose_name="district",
                    ),
                ),
                migrations.AlterField(
                    model_name="term",
                    name="city",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="terms",
                        to="schools.city",
                        verbose_name="city",
                    ),
                ),
                migrations.AlterField(
                    model_name="term",
                    name="district",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="terms",
                        to="schools.district",
                        verbose_name="district",
                    ),
                ),
            ],
        )
    ]
