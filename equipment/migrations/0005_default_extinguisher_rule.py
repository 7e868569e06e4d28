"""The national default "extinguisher-monthly" obligation (GB 50444-2008 §5.2).

A national row (no city): a city that checks twice a month replaces it by a
rule with the same code and a required count of 2, and overrides it per
district or school. Frozen here on purpose: later changes are new migrations.
"""

from django.db import migrations

CODE = "extinguisher-monthly"


def create_default(apps, schema_editor):
    apps.get_model("schools", "ObligationRule").objects.create(
        code=CODE,
        domain="equipment",
        name="灭火器每月检查 / Monthly extinguisher check",
        basis="month",
        required_count=1,
        source="GB 50444-2008 §5.2 灭火器每月检查 / monthly extinguisher check",
    )


def remove_default(apps, schema_editor):
    apps.get_model("schools", "ObligationRule").objects.filter(
        code=CODE, city__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("equipment", "0004_extinguisher_checks"), ("schools", "0003_obligations")]

    operations = [migrations.RunPython(create_default, remove_default)]
