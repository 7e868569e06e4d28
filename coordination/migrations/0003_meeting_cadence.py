"""The meeting cadence of cities and districts, and its national defaults.

City quarterly and district monthly, as the issue proposes: no national text fixes the
frequency, so the defaults say so in their source, and city staff replace them per city.
They count from the day this migration runs, so that no district is told of periods
missed before the platform kept its meetings.
"""

import datetime
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


# Frozen here on purpose, as data migrations are (later changes are new migrations).
SOURCE = (
    "北京市中小学校园安全十项机制：三级校园安全联席会议（频次为建议默认值） / "
    "Beijing's ten campus-safety mechanisms, No. 1: three-level security meetings "
    "(the frequency is a proposed default)"
)
DEFAULTS = (("city", "quarter"), ("district", "month"))


def forwards(apps, schema_editor):
    MeetingCadence = apps.get_model("coordination", "MeetingCadence")
    for level, basis in DEFAULTS:
        MeetingCadence.objects.get_or_create(
            city=None,
            level=level,
            defaults={"basis": basis, "source": SOURCE, "starts_on": django.utils.timezone.localdate()},
        )


def backwards(apps, schema_editor):
    apps.get_model("coordination", "MeetingCadence").objects.filter(city=None).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('coordination', '0002_defaults_and_appointments'),
        ('schools', '0008_obligationwindow_end_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='MeetingCadence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('level', models.CharField(choices=[('city', 'City'), ('district', 'District')], help_text="The city's own meeting, or each district's. A school's monthly meeting is the recurring obligation 'school-security-meeting'.", max_length=10, verbose_name='level')),
                ('basis', models.CharField(choices=[('month', 'Each calendar month'), ('quarter', 'Each quarter'), ('year', 'Each calendar year')], max_length=20, verbose_name='recurs')),
                ('required_count', models.PositiveSmallIntegerField(default=1, help_text='How many meetings each period needs.', verbose_name='meetings per period')),
                ('grace', models.DurationField(default=datetime.timedelta(0), help_text="How long after a period's end before it counts as missed and reminds.", verbose_name='grace period')),
                ('starts_on', models.DateField(default=django.utils.timezone.localdate, help_text='The first period counted is the first that starts on or after this date.', verbose_name='counted from')),
                ('source', models.TextField(help_text='The regulation or practice it follows.', verbose_name='source')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('city', models.ForeignKey(blank=True, help_text="Empty for the national default; a city's row of the same level replaces it.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='meeting_cadences', to='schools.city', verbose_name='city')),
            ],
            options={
                'verbose_name': 'meeting cadence',
                'verbose_name_plural': 'meeting cadences',
                'ordering': ['city', 'level'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('city__isnull', False)), fields=('city', 'level'), name='meetingcadence_level_per_city'), models.UniqueConstraint(condition=models.Q(('city__isnull', True)), fields=('level',), name='meetingcadence_national_level'), models.CheckConstraint(condition=models.Q(('level__in', ['city', 'district'])), name='meetingcadence_unit_level'), models.CheckConstraint(condition=models.Q(('basis__in', ['month', 'quarter', 'year'])), name='meetingcadence_period_basis'), models.CheckConstraint(condition=models.Q(('required_count__gte', 1)), name='meetingcadence_required_positive'), models.CheckConstraint(condition=models.Q(('grace__gte', datetime.timedelta(0)), ('grace__lte', datetime.timedelta(days=31))), name='meetingcadence_grace_range')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
