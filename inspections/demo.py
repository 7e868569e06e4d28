"""The inspections demo steps: checkpoints, a guard per school, two weeks of fire patrols; the
hazard ledger."""

from campussafety.demo import Step, register
from inspections.management.hazard_seeding import reset_hazards, seed_hazards
from inspections.management.seeding import reset_inspections, seed_inspections

# Checkpoints sit at the organisation's gates; guard1 works at principal1's school.
register(
    Step(
        "inspections",
        seed_inspections,
        reset_inspections,
        after=("organisation", "accounts", "calendar"),
    )
)

# A ledger with hazards in every state, at the checkpoints the inspections step made.
register(Step("hazards", seed_hazards, reset_hazards, after=("inspections",)))
