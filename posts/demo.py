"""The posts demo step: members, posts, rosters, shifts, duty logs and coverage."""

from campussafety.demo import Step, register
from posts.management.seeding import reset_posts, seed_posts

# Duty logs fall on school days, and members are verified by the demo logins.
register(Step("posts", seed_posts, reset_posts, after=("organisation", "accounts", "calendar")))
