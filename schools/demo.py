"""The organisation's demo steps: a city with its schools, the demo logins, the calendar."""

from campussafety.demo import Step, register
from schools.management import seeding

register(
    Step("organisation", seeding.seed_organisation, seeding.reset_organisation),
    Step("accounts", seeding.seed_accounts, seeding.reset_accounts, after=("organisation",)),
    # The calendar closes principal1's school for a day: it needs the logins.
    Step("calendar", seeding.seed_calendar, seeding.reset_calendar, after=("accounts",)),
)
