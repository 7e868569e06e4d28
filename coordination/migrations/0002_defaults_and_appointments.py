"""The defaults coordination brings, and the legal vice-presidents the schools named before.

- The national yearly minimum of a legal vice-president's activities: 4.
- The recurring obligation of a school's monthly security meeting, as a national
  ObligationRule row (city staff replace it per city, override it per district or school).
- Each school's `legal_vice_president` / `legal_vice_president_unit` text becomes an
  Appointment from the school's creation date, its organisation read from the unit's
  name (police when nothing says otherwise). The text fields stay on School, unused by
  coordination, for the schools app to drop.
"""

from django.db import migrations


# Frozen here on purpose, as data migrations are (later changes are new migrations).
ACTIVITY_SOURCE = "中小学法治副校长聘任与管理办法（2021） / Measures on legal vice-presidents of schools 2021"
MEETING_RULE = "school-security-meeting"
MEETING_SOURCE = (
    "北京市中小学校园安全十项机制：三级校园安全联席会议 / "
    "Beijing's ten campus-safety mechanisms, No. 1: three-level security meetings"
)
ORGANISATION_WORDS = (("法院", "court"), ("检察", "procuratorate"), ("司法", "justice"))


def organisation_of(unit):
    for word, organisation in ORGANISATION_WORDS:
        if word in unit:
            return organisation
    return "police"


def forwards(apps, schema_editor):
    ActivityMinimum = apps.get_model("coordination", "ActivityMinimum")
    ObligationRule = apps.get_model("schools", "ObligationRule")
    School = apps.get_model("schools", "School")
    Appointment = apps.get_model("coordination", "Appointment")
    ActivityMinimum.objects.create(city=None, per_year=4, source=ACTIVITY_SOURCE)
    ObligationRule.objects.get_or_create(
        city=None,
        code=MEETING_RULE,
        defaults={
            "domain": "coordination",
            "name": "学校安全工作例会 / Monthly school security meeting",
            "basis": "month",
            "required_count": 1,
            "source": MEETING_SOURCE,
        },
    )
    Appointment.objects.bulk_create(
        [
            Appointment(
                school_id=pk,
                name=name[:50],
                unit=unit[:100],
                organisation=organisation_of(unit),
                starts_on=created.date(),
            )
            for pk, name, unit, created in School.objects.exclude(legal_vice_president="")
            .order_by("pk")
            .values_list("pk", "legal_vice_president", "legal_vice_president_unit", "created")
            .iterator()
        ],
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    apps.get_model("schools", "ObligationRule").objects.filter(
        city=None, code=MEETING_RULE
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0001_initial"),
        ("schools", "0008_obligationwindow_end_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
