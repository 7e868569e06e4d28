"""The hazard ledger step of `manage.py seed_demo`: a ledger with hazards in every state.

principal1's school gets a full ledger over the last year and a half (reported,
confirmed, being rectified, overdue, submitted, returned, re-checked, struck
off, rejected, merged, supervised and recurring ones), acted on by officer1,
principal1 and district1, with before and after photos; every other school a
few hazards. Written in bulk by inspections/management/hazard_synthesis.py.
"""

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from inspections.choices import OPEN_STATES, HazardEventKind, HazardState
from inspections.management import hazard_synthesis
from inspections.management.hazard_synthesis import People
from inspections.models import Checkpoint, Hazard, HazardSequence

HOME_HAZARDS = 40
SPAN_DAYS = 540
PHOTO_DIR = "hazard-photos/demo"
S = HazardState
# The newest hazards of principal1's school, so that its ledger has every state.
HOME_NEWEST = (S.CONFIRMED, S.RETURNED, S.MERGED, S.VERIFIED, S.SUBMITTED, S.REPORTED, S.VERIFIED)


def _demo_photo(name, colour) -> str:
    path = f"{PHOTO_DIR}/{name}.jpg"
    if not default_storage.exists(path):
        buffer = io.BytesIO()
        Image.new("RGB", (320, 240), colour).save(buffer, "JPEG", quality=80)
        default_storage.save(path, ContentFile(buffer.getvalue()))
    return path


def _merge_one(plans):
    """Name the original of the newest duplicate: an open hazard found before it (without
    one, it was not a hazard after all)."""
    for n in range(len(plans) - 1, -1, -1):
        plan = plans[n]
        if plan.hazard.state != HazardState.MERGED:
            continue
        earlier = next(
            (m for m in range(n - 1, -1, -1) if plans[m].hazard.state in OPEN_STATES), None
        )
        if earlier is None:
            kind, at, actor = plan.events[-1]
            plan.events[-1] = (HazardEventKind.REJECTED, at, actor)
            plan.hazard.state = HazardState.REJECTED
        else:
            plan.merged_into = earlier


def seed_hazards(ctx) -> str:
    rng = ctx.rng("hazards")
    schools = ctx.schools or []
    checkpoints = {school.pk: [] for school in schools}
    for school_id, pk in (
        Checkpoint.objects.filter(school__in=schools).order_by("pk").values_list("school_id", "pk")
    ):
        checkpoints[school_id].append(pk)
    home = ctx.home_schools.get("principal1")
    users = ctx.users
    home_people = People(
        rectifier_id=users["officer1"].pk if "officer1" in users else None,
        verifier_id=users["principal1"].pk if "principal1" in users else None,
        bureau_id=users["district1"].pk if "district1" in users else None,
    )

    def per_school(rng, school_id):
        return HOME_HAZARDS if home and school_id == home.pk else rng.randint(0, 4)

    def people_of(school_id):
        return home_people if home and school_id == home.pk else People()

    def adjust(school_id, plans):
        if home and school_id == home.pk:
            _merge_one(plans)

    def newest(school_id):
        return HOME_NEWEST if home and school_id == home.pk else ()

    counts = hazard_synthesis.synthesize(
        rng,
        checkpoints,
        ctx.today,
        SPAN_DAYS,
        per_school,
        people_of,
        photo_paths=(_demo_photo("before", "firebrick"), _demo_photo("after", "seagreen")),
        adjust=adjust,
        newest=newest,
    )
    return (
        f"{counts.get('hazards', 0)} hazards, {counts.get('events', 0)} events, "
        f"{counts.get('orders', 0)} supervision orders"
    )


def reset_hazards() -> None:
    # Events, photos, extensions and supervision go with their hazards; a duplicate must
    # go before its original, which it has to name (hazard_merged_names_original).
    Hazard.objects.filter(state=HazardState.MERGED).delete()
    Hazard.objects.all().delete()
    HazardSequence.objects.all().delete()
