"""The inspections demo step: checkpoints, a guard per school, two weeks of fire patrols."""

from campussafety.demo import Step, register
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
