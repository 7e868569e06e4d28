"""The hazard ledger adopts the open findings rounds kept before it existed.

Each open finding becomes a reported hazard on its school's ledger of the year
it was found (numbered after any the ledger already holds), linked to its round
and answer exactly as report_failure() links a new one, with its first event.
"""

from django.db import migrations
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone


def adopt(apps, schema_editor):
    Finding = apps.get_model("inspections", "Finding")
    Hazard = apps.get_model("inspections", "Hazard")
    HazardEvent = apps.get_model("inspections", "HazardEvent")
    HazardSequence = apps.get_model("inspections", "HazardSequence")
    last = {}
    for finding in (
        Finding.objects.filter(status="open", hazard__isnull=True)
        .select_related("round", "answer")
        .order_by("found_at", "pk")
    ):
        year = timezone.localtime(finding.found_at).year
        key = (finding.school_id, year)
        if key not in last:
            last[key] = (
                Hazard.objects.filter(school_id=finding.school_id, year=year).aggregate(
                    top=Max("number")
                )["top"]
                or 0
            )
        last[key] += 1
        hazard = Hazard.objects.create(
            school_id=finding.school_id,
            year=year,
            number=last[key],
            found_at=finding.found_at,
            checkpoint_id=finding.answer.checkpoint_id,
            place=finding.place,
            category=finding.hazard_category,
            description=finding.description,
            level=finding.hazard_level,
            state="reported",
            origin="round",
            origin_ref=f"inspections.answer:{finding.answer_id}",
            origin_url=reverse("inspections:round", args=[finding.round_id]),
            round_id=finding.round_id,
            answer_id=finding.answer_id,
            reported_by_id=finding.round.inspector_id,
        )
        HazardEvent.objects.create(
            hazard=hazard,
            kind="reported",
            to_state="reported",
            actor_id=finding.round.inspector_id,
            at=finding.found_at,
        )
        finding.status = "adopted"
        finding.hazard = hazard
        finding.adopted_as = f"inspections.hazard:{hazard.pk}"
        finding.save(update_fields=["status", "hazard", "adopted_as"])
    for (school_id, year), number in last.items():
        HazardSequence.objects.update_or_create(
            school_id=school_id, year=year, defaults={"last": number}
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0006_hazard_ledger")]

    operations = [migrations.RunPython(adopt, migrations.RunPython.noop)]
