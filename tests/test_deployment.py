"""Production settings and docker-compose: the deploy check, headers, health checks."""

import datetime
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, TestCase
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tests.worker import unreachable_broker

REPO = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
# What an operator's .env gives for the values compose requires.
DOT_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ID_NUMBER_HASH_KEY": secrets.token_hex(32),
    "POSTGRES_PASSWORD": "postgres-password",
    "ALLOWED_HOSTS": "safety.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://safety.example.gov.cn",
}


def compose_value(value: str) -> str:
    """Interpolate ${VAR:?message} from DOT_ENV and ${VAR:-default} with its default."""

    def replace(match):
        name, operator, rest = match.groups()
        if operator == ":?":
            return DOT_ENV[name]
        return rest

    return re.sub(r"\$\{(\w+)(:\?|:-)([^}]*)\}", replace, str(value))


def production_environment(tmp_dir) -> dict:
    environment = {
        name: compose_value(value)
        for name, value in COMPOSE["services"]["web"]["environment"].items()
    }
    # Only what a container has besides compose's environment.
    return {"PATH": os.environ["PATH"], "VAR_DIR": str(tmp_dir), **environment}


class DeployCheckTests(SimpleTestCase):
    def test_check_deploy_is_clean_with_composes_production_environment(self):
        tmp_dir = REPO / "var" / f"deploy-check-{os.getpid()}"
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=REPO,
            env=production_environment(tmp_dir),
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)


class ComposeTests(SimpleTestCase):
    services = COMPOSE["services"]

    def test_web_worker_and_beat_wait_for_the_one_shot_migrate(self):
        migrate = self.services["migrate"]
        self.assertEqual(migrate["command"], ["python", "manage.py", "migrate", "--noinput"])
        self.assertEqual(migrate["restart"], "no")
        for name in ("web", "worker", "beat"):
            with self.subTest(service=name):
                self.assertEqual(
                    self.services[name]["depends_on"]["migrate"],
                    {"condition": "service_completed_successfully"},
                )
                self.assertIn("healthcheck", self.services[name])
        self.assertNotIn("migrate", (REPO / "Dockerfile").read_text().split("CMD", 1)[1])

    def test_redis_is_bounded_and_never_evicts_keys_without_an_expiry(self):
        command = self.services["redis"]["command"]
        self.assertIn("--maxmemory", command)
        self.assertEqual(command[command.index("--maxmemory-policy") + 1], "volatile-lru")

    def test_beat_has_no_volume_and_no_volume_is_unused(self):
        self.assertNotIn("volumes", self.services["beat"])
        used = {
            mount.split(":", 1)[0]
            for service in self.services.values()
            for mount in service.get("volumes", [])
            # Bind mounts of the repository's scripts are no named volume.
            if not mount.startswith("./")
        }
        self.assertEqual(used, set(COMPOSE["volumes"]))

    def test_the_replica_streams_from_the_primary_and_the_app_can_name_it(self):
        replica = self.services["postgres-replica"]
        # Only on request: `docker compose --profile replica up`.
        self.assertEqual(replica["profiles"], ["replica"])
        self.assertEqual(replica["depends_on"]["postgres"], {"condition": "service_healthy"})
        entrypoint = replica["volumes"][1].split(":")[0]
        self.assertIn("pg_basebackup", (REPO / entrypoint).read_text())
        primary_init = self.services["postgres"]["volumes"][1].split(":")[0]
        self.assertIn("REPLICATION", (REPO / primary_init).read_text())
        self.assertIn("DATABASE_REPLICA_URL", self.services["web"]["environment"])


class HeaderTests(TestCase):
    def test_every_page_has_a_policy_without_inline_script_and_a_permissions_policy(self):
        response = self.client.get("/login/")
        policy = response.headers["Content-Security-Policy"]
        # A nonce appears once a page uses one (the admin's styles).
        self.assertRegex(policy, r"script-src 'self'( 'nonce-[^']+')?;")
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertNotIn("unsafe-inline", policy)
        self.assertIn("camera=()", response.headers["Permissions-Policy"])
        self.assertIn("geolocation=()", response.headers["Permissions-Policy"])

    def test_no_template_has_inline_script_event_handlers_or_style(self):
        inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+=|\sstyle=")
        templates = [*REPO.glob("templates/**/*.html"), *REPO.glob("*/templates/**/*.html")]
        self.assertTrue(templates)
        # Rendered by WeasyPrint into a PDF, never served to a browser as HTML.
        pdf_only = {REPO / "templates/schools/school_file_pdf.html"}
        for template in set(templates) - pdf_only:
            with self.subTest(template=str(template.relative_to(REPO))):
                self.assertIsNone(inline.search(template.read_text()))


class HealthEndpointTests(TestCase):
    def get(self):
        return self.client.get("/health/", headers={"accept": "application/json"})

    def test_database_cache_and_broker_up_is_200(self):
        response = self.get()
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(set(response.json().values()), {"OK"})
        self.assertEqual(len(response.json()), 3)

    def test_an_unreachable_broker_fails_the_check(self):
        with unreachable_broker():
            response = self.get()
        self.assertEqual(response.status_code, 500)
        [broker] = [key for key in response.json() if key.startswith("Broker")]
        self.assertIn("Broker unreachable", response.json()[broker])


class CheckBeatTests(TestCase):
    def setUp(self):
        # The default schedule, installed after migrate, as beat has never run it.
        PeriodicTask.objects.update(last_run_at=None)
        self.task = PeriodicTask.objects.get(name="reminders: flush deliveries")

    def test_a_recent_run_passes_and_a_stale_or_missing_one_fails(self):
        with self.assertRaisesMessage(CommandError, "no task within 15 minutes"):
            call_command("check_beat", within=15)
        PeriodicTask.objects.filter(pk=self.task.pk).update(
            last_run_at=timezone.now() - datetime.timedelta(minutes=20)
        )
        with self.assertRaisesMessage(CommandError, "no task within 15 minutes"):
            call_command("check_beat", within=15)
        PeriodicTask.objects.filter(pk=self.task.pk).update(
            last_run_at=timezone.now() - datetime.timedelta(minutes=4)
        )
        call_command("check_beat", within=15)
