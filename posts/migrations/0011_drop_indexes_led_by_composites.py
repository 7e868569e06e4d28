"""Drop the foreign key indexes a composite index or unique constraint starting with
the same column already serves (campussafety.migration_ops).
"""

import django.db.models.deletion
from django.db import migrations, models

from campussafety.migration_ops import drop_indexes_keeping_constraints


INDEXES = [
    ("posts_dailycoverage_school_id_99fd9da5", "posts_dailycoverage", "school_id"),
    ("posts_dutyattendance_log_id_e5054201", "posts_dutyattendance", "log_id"),
    ("posts_dutylog_post_period_id_a0ae58ec", "posts_dutylog", "post_period_id"),
    ("posts_dutylog_school_id_640e32c9", "posts_dutylog", "school_id"),
    ("posts_memberassignment_member_id_3e25b342", "posts_memberassignment", "member_id"),
    ("posts_post_school_id_94452e8e", "posts_post", "school_id"),
    ("posts_postperiod_post_id_d43929b7", "posts_postperiod", "post_id"),
    ("posts_rosterrule_post_period_id_94310ad0", "posts_rosterrule", "post_period_id"),
    ("posts_shift_member_id_7cf42db8", "posts_shift", "member_id"),
    ("posts_shift_post_period_id_43e2a757", "posts_shift", "post_period_id"),
    ("posts_shift_school_id_f5fc88c9", "posts_shift", "school_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0010_guardrule_checks"),
        ("schools", "0009_drop_indexes_led_by_composites"),
    ]

    operations = [
        drop_indexes_keeping_constraints(
            INDEXES,
            [
                migrations.AlterField(
                    model_name="dailycoverage",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="daily_coverage",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="dutyattendance",
                    name="log",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attendance",
                        to="posts.dutylog",
                        verbose_name="duty log",
                    ),
                ),
                migrations.AlterField(
                    model_name="dutylog",
                    name="post_period",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="duty_logs",
                        to="posts.postperiod",
                        verbose_name="post period",
                    ),
                ),
                migrations.AlterField(
                    model_name="dutylog",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="duty_logs",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberassignment",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="posts.member",
                        verbose_name="member",
                    ),
                ),
                migrations.AlterField(
                    model_name="post",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="posts",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
                migrations.AlterField(
                    model_name="postperiod",
                    name="post",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="periods",
                        to="posts.post",
                        verbose_name="post",
                    ),
                ),
                migrations.AlterField(
                    model_name="rosterrule",
                    name="post_period",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="roster_rules",
                        to="posts.postperiod",
                        verbose_name="post period",
                    ),
                ),
                migrations.AlterField(
                    model_name="shift",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shifts",
                        to="posts.member",
                        verbose_name="member",
                    ),
                ),
                migrations.AlterField(
                    model_name="shift",
                    name="post_period",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shifts",
                        to="posts.postperiod",
                        verbose_name="post period",
                    ),
                ),
                migrations.AlterField(
                    model_name="shift",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        help_text="The post's school, kept here for scoping and daily queries.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shifts",
                        to="schools.school",
                        verbose_name="school",
                    ),
                ),
            ],
        )
    ]
