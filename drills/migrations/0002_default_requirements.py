"""The national default drill and training requirements (../shared/CHECKS.md §4).

National rows (no city): city staff replace one for their city by a rule with
the same code, and override it per district or school. The data is frozen
here on purpose: later changes to defaults are new migrations.
"""

from django.db import migrations

GUIDE_2014 = "中小学幼儿园应急疏散演练指南（2014） / Emergency evacuation drill guide 2014"
MEASURES_2006 = "中小学幼儿园安全管理办法（2006） / School and kindergarten safety measures 2006"
QINGDAO_2015 = "青岛市中小学幼儿园安全管理规定（2015） / Qingdao school safety rules 2015"
BEIJING_2018 = "北京市平安校园建设标准（2018） / Beijing safe-campus standard 2018"

SCHOOLS = [
    "primary",
    "junior_secondary",
    "senior_secondary",
    "nine_year",
    "complete_secondary",
    "vocational",
    "special_education",
]
EVACUATION = ["fire_evacuation", "earthquake", "night_dormitory"]

# (code, name, basis, count, rule options, drill types or None for a training rule,
#  at night, source)
DEFAULTS = [
    (
        "monthly-drill",
        "中小学每月应急演练 / Monthly drill (primary and secondary schools)",
        "month",
        1,
        {"school_types": SCHOOLS},
        [],
        False,
        f"中小学每月至少一次 / at least once a month: {GUIDE_2014}",
    ),
    (
        "kindergarten-quarterly-drill",
        "幼儿园每季度应急演练 / Quarterly drill (kindergartens)",
        "quarter",
        1,
        {"school_types": ["kindergarten"]},
        [],
        False,
        f"幼儿园每季度至少一次 / at least once a quarter: {GUIDE_2014}",
    ),
    (
        "term-evacuation-drill",
        "每学期疏散演练 / Evacuation drill each term",
        "term",
        1,
        {},
        EVACUATION,
        False,
        f"每学期至少开展一次全员应急疏散演练 / an evacuation drill each term: {MEASURES_2006}",
    ),
    (
        "night-dormitory-drill",
        "寄宿制学校夜间宿舍疏散演练 / Night dormitory drills (boarding schools)",
        "year",
        2,
        {"boarding": "only"},
        ["night_dormitory"],
        True,
        f"寄宿制学校每年至少2次夜间疏散演练 / at least 2 night drills a year: {QINGDAO_2015}",
    ),
    (
        "bus-drill",
        "校车应急演练 / School bus drills (schools with buses)",
        "year",
        2,
        {"buses_only": True},
        ["bus"],
        False,
        f"配备校车的学校每年至少2次校车演练 / at least 2 bus drills a year: {QINGDAO_2015}",
    ),
    (
        "guard-training",
        "保安员培训 / Guard training each term",
        "term",
        1,
        {},
        None,
        False,
        f"保安员每学期至少培训一次 / guards trained at least once a term: {BEIJING_2018}",
    ),
    (
        "staff-fire-training",
        "教职工消防安全培训 / Staff fire-safety training each year",
        "year",
        1,
        {},
        None,
        False,
        "教职工每年至少一次消防安全培训 / staff trained in fire safety yearly: 公安部令第61号 第36条",
    ),
]


def create_defaults(apps, schema_editor):
    ObligationRule = apps.get_model("schools", "ObligationRule")
    DrillRequirement = apps.get_model("drills", "DrillRequirement")
    for code, name, basis, count, options, drill_types, at_night, source in DEFAULTS:
        rule = ObligationRule.objects.create(
            code=code,
            domain="drills",
            name=name,
            basis=basis,
            required_count=count,
            source=source,
            **options,
        )
        if drill_types is not None:
            DrillRequirement.objects.create(
                obligation=rule, drill_types=drill_types, at_night=at_night
            )


def remove_defaults(apps, schema_editor):
    apps.get_model("schools", "ObligationRule").objects.filter(
        code__in=[entry[0] for entry in DEFAULTS], city__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("drills", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
