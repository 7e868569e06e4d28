"""The production settings with the floor's URLconf added: for bench_writes' gunicorn only."""

from campussafety.settings import *  # noqa: F403

ROOT_URLCONF = "posts.management.benchserver"
