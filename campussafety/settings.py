"""Settings for the campus safety platform.

Every deployment-specific value comes from the environment (see README.md,
"Environment variables"). With nothing set, the platform runs on a laptop:
SQLite under var/ and a Celery broker on the filesystem, no servers needed.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from campussafety.env import envbool, envchoice, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and envbool("REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    # A per-checkout key kept under var/, so a laptop run needs no set-up and
    # sessions survive restarts. Production sets SECRET_KEY (docker-compose.yml).
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
    SECRET_KEY = key_file.read_text().strip()

# The key of the keyed hash that recognises a person registered twice by their
# ID card number (campussafety/personal.py). Changing it makes every stored hash
# useless, so it is not derived from SECRET_KEY, which may be rotated.
ID_NUMBER_HASH_KEY = envstr("ID_NUMBER_HASH_KEY")
if not ID_NUMBER_HASH_KEY:
    if not DEBUG and envbool("REQUIRE_SECRET_KEY", False):
        # A container's var/ does not survive it: a generated key would change
        # on every deployment and orphan every stored hash.
        raise ImproperlyConfigured("ID_NUMBER_HASH_KEY must be set in production.")
    hash_key_file = VAR_DIR / "id_number_hash_key"
    if not hash_key_file.exists():
        import secrets

        hash_key_file.write_text(secrets.token_hex(32))
    ID_NUMBER_HASH_KEY = hash_key_file.read_text().strip()

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_HTTPS_PROXY", False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "accounts",
    "schools",
    "django_celery_beat",
    "posts",
    "reminders",
    "inspections",
    "drills",
    "equipment",
    "coordination",
    "dashboards",
    "portal",
    "axes",
    # The access log of personal data (campussafety/audit.py).
    "auditlog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After a user's write, their reads stay on the primary a few seconds
    # (campussafety/replica.py); nothing to do without a replica.
    "campussafety.replica.StickyPrimaryMiddleware",
    # Who made each logged change, from where (campussafety/audit.py).
    "campussafety.audit.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "campussafety.urls"
WSGI_APPLICATION = "campussafety.wsgi.application"
ASGI_APPLICATION = "campussafety.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
                "reminders.context_processors.notifications",
            ],
            # Template tags shared by every app's pages.
            "libraries": {
                "rates": "campussafety.templatetags.rates",
                "charts": "campussafety.templatetags.charts",
            },
        },
    },
]

# Database: DATABASE_URL (postgres://user@host:5432/name) in production; SQLite
# under var/ on a laptop. SQLite runs in WAL mode with IMMEDIATE transactions so
# that the web process, the worker and beat never fail with "database is locked":
# a writer takes the lock when its transaction begins and others wait on
# busy_timeout instead of failing on lock upgrade.
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60, minimum=0)
            )
        }
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "campussafety.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
# Tests on SQLite use a file, not the in-memory default: worker threads then
# share it through WAL and busy_timeout as the web and worker processes do on a
# laptop (an in-memory shared cache fails concurrent writers at once).
DATABASES["default"]["TEST"] = {
    "NAME": envstr("TEST_DATABASE_NAME")
    # One file per test run, so that two runs on one checkout never meet.
    or (None if DATABASE_URL else str(VAR_DIR / f"test-campussafety-{os.getpid()}.sqlite3"))
}

# A read replica (README, "A read replica"): DATABASE_REPLICA_URL names a
# PostgreSQL streaming-replication standby of DATABASE_URL. The views marked
# with campussafety.replica.reads_from_replica (bureau pages, the coverage and
# indicator APIs, exports) read from it; everything else, and every write, uses
# the primary. In a test run it is a mirror of the test database.
DATABASE_REPLICA_URL = envstr("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (the primary).")
    try:
        DATABASES["replica"] = dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is not a valid database URL: {exc}"
        ) from None
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
# Whether marked views read from the replica (on whenever there is one).
REPLICA_READS = envbool("REPLICA_READS", bool(DATABASE_REPLICA_URL))
DATABASE_ROUTERS = ["campussafety.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: picked from the browser by LocaleMiddleware, switchable in the header.
LANGUAGE_CODE = envstr("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap from its pip package (xstatic), served as vendor/bootstrap/css/...
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
# Served by campussafety.media.ProtectedMediaView at this path (campussafety/urls.py).
MEDIA_URL = "media/"

# Uploads (campussafety/uploads.py, campussafety/media.py; README.md, "Uploads").
# Uploaded files are private: only the media view serves them, after checking the
# viewer's scope. The limits are validators on every ProtectedImageField.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_MB", 10, minimum=1) * 1024 * 1024
UPLOAD_MAX_MEGAPIXELS = envint("UPLOAD_MAX_MEGAPIXELS", 40, minimum=1)
# Who sends the file once the view has said yes: Django itself, or a front proxy
# told by X-Accel-Redirect (nginx: an `internal` location at MEDIA_INTERNAL_URL
# aliased to MEDIA_ROOT) or X-Sendfile (Apache's mod_xsendfile).
MEDIA_SERVED_BY = envchoice("MEDIA_SERVED_BY", "django", ("django", "nginx", "apache"))
MEDIA_INTERNAL_URL = envstr("MEDIA_INTERNAL_URL", "/protected-media/")
# Request bodies besides files stay small; an upload larger than this goes to a
# temporary file instead of memory, and is then refused by size if too large.
# A front proxy should cap bodies a little above UPLOAD_MAX_MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = min(2_621_440, UPLOAD_MAX_BYTES)
# Forms take one photo each; a request with many files is not ours.
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Exports (campussafety/exports.py, campussafety/export_views.py): more rows than this are
# built by a worker and announced by a notification, not within the request.
EXPORT_ASYNC_ROWS = envint("EXPORT_ASYNC_ROWS", 20_000, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["campussafety.api.permissions.ScopedModelPermission"],
    "DEFAULT_PARSER_CLASSES": [
        "campussafety.api.exceptions.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "campussafety.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "campussafety.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Campus safety platform API",
    "DESCRIPTION": "School protection posts, inspections, hazards, drills and equipment.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Bureaus run on intranets: Swagger UI comes from our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a field called "kind"; name each enum after its choices.
    "ENUM_NAME_OVERRIDES": {
        "GateKindEnum": "schools.choices.GateKind",
        "CalendarExceptionKindEnum": "schools.choices.ExceptionKind",
        "WeekdayEnum": "schools.choices.WEEKDAYS",
        "HazardCategoryEnum": "schools.choices.HazardCategory",
        "HazardLevelEnum": "schools.choices.HazardLevel",
        "HazardStateEnum": "inspections.choices.HazardState",
        "SupervisionLevelEnum": "inspections.choices.SupervisionLevel",
    },
}

# --- Sign-in, throttling, API tokens and the API docs (README.md, "Security") ---
# How many reverse proxies stand in front of the application. X-Forwarded-For
# is read only through them (campussafety/client_ip.py); with 0 the address of
# the connection counts, so a forged header cannot dodge a lockout or throttle.
NUM_PROXIES = envint("NUM_PROXIES", 0, minimum=0)
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
# django-axes locks out an account, and separately an address, after
# LOGIN_FAILURE_LIMIT failed sign-ins, on every door that calls authenticate():
# the login page, the admin's and the token endpoint. Its backend comes first,
# so a locked-out attempt is refused before ModelBackend hashes the password
# (PBKDF2 costs most of a second of CPU by design).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "campussafety.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Log lockouts, not a banner at every start of every process.
AXES_VERBOSE = False
# API tokens (django-rest-knox): a new token per sign-in, stored as a SHA-512
# digest, expiring API_TOKEN_DAYS after it was issued.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=envint("API_TOKEN_DAYS", 30, minimum=1)),
    "AUTH_HEADER_PREFIX": "Token",
}
# The OpenAPI schema and Swagger UI need a signed-in user unless opened.
API_DOCS_PUBLIC = envbool("API_DOCS_PUBLIC", False)

# Celery. With no broker configured, kombu's filesystem transport under var/
# lets a laptop run a real worker and beat with no server. Production points
# CELERY_BROKER_URL (or REDIS_URL) at Redis.
REDIS_URL = envstr("REDIS_URL")
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_BROKER_TRANSPORT = None
if CELERY_BROKER_URL == "filesystem://":
    # kombu's filesystem transport, made safe for concurrent producers and
    # consumers (campussafety/broker.py).
    CELERY_BROKER_TRANSPORT = "campussafety.broker:Transport"
    broker_dir = VAR_DIR / "celery" / "broker"
    for sub in ("out", "processed", "control"):
        (broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(broker_dir / "out"),
        "data_folder_out": str(broker_dir / "out"),
        "processed_folder": str(broker_dir / "processed"),
        # Exchange bindings; kombu would otherwise write them to ./control.
        "control_folder": str(broker_dir / "control"),
        "store_processed": False,
        # Seconds between looks into the folder; also how soon a worker notices a shutdown.
        "polling_interval": 0.5,
    }
else:
    # Tasks are acknowledged after they run; a message whose worker died is
    # redelivered after this many seconds. Retries use countdowns well below it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Beat reads its schedule from the database (django-celery-beat), so admins
# change times in the admin; reminders/schedule.py installs the defaults.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True

# Reminders (reminders/ and each app's reminders.py).
# Minutes after a post period ends before its school is reminded of a missing
# duty log, and before district staff are told.
REMINDER_MISSING_LOG_AFTER_MINUTES = envint("REMINDER_MISSING_LOG_AFTER_MINUTES", 30, minimum=0)
REMINDER_ESCALATE_AFTER_MINUTES = envint("REMINDER_ESCALATE_AFTER_MINUTES", 90, minimum=0)
# The SMS gateway: a class with send(phone, text). The default writes to the log.
SMS_GATEWAY = envstr("SMS_GATEWAY", "reminders.transports.LogSmsGateway")
SMS_GATEWAY_URL = envstr("SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = envstr("SMS_GATEWAY_TOKEN")
WEBHOOK_TIMEOUT = envint("WEBHOOK_TIMEOUT", 10, minimum=1)
# Seconds before each retry of a failed delivery; all well under Redis's
# visibility timeout (an hour), so a retried message is never also redelivered.
REMINDER_RETRY_COUNTDOWNS = (30, 120, 600, 1200, 1800)
# Digests, their links and how long they are kept (reminders/retention.py).
# The site's public address, for the links in email, SMS and group-robot messages.
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")
# Read notifications and finished deliveries older than this are deleted daily,
# this many rows per statement so that the purge never holds long locks.
REMINDER_RETENTION_DAYS = envint("REMINDER_RETENTION_DAYS", 180, minimum=1)
REMINDER_RETENTION_BATCH = 1000

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Outgoing email (Django 6.1 mailers). The console backend prints mail on a
# laptop; production sets EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
# and the EMAIL_HOST... variables.
MAILERS = {
    "default": {
        "BACKEND": envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        "OPTIONS": (
            {
                "host": envstr("EMAIL_HOST", "localhost"),
                "port": envint("EMAIL_PORT", 25, minimum=1),
                "username": envstr("EMAIL_HOST_USER"),
                "password": envstr("EMAIL_HOST_PASSWORD"),
                "use_tls": envbool("EMAIL_USE_TLS", False),
                "use_ssl": envbool("EMAIL_USE_SSL", False),
            }
            if envstr("EMAIL_BACKEND").endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "campus-safety@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ---------------------------------------------------------------------------
# Outbound calls, security headers and health checks (README, "Security").
# Kept in one block; it extends INSTALLED_APPS, MIDDLEWARE and TEMPLATES above.
# ---------------------------------------------------------------------------
# Group-robot webhook URLs are typed in by users and called by the worker:
# private, loopback, link-local and other non-global addresses are refused,
# when saved and when connecting, unless this allows them (an intranet robot
# gateway). campussafety/outbound.py.
WEBHOOK_ALLOW_PRIVATE_IPS = envbool("WEBHOOK_ALLOW_PRIVATE_IPS", False)

# The access log takes no correlation id from the client: the header is the
# client's to forge, and one longer than its column fails the write on PostgreSQL.
AUDITLOG_CID_HEADER = None

INSTALLED_APPS += ["health_check"]
MIDDLEWARE[1:1] = [
    # Django's own CSP (django-csp's successor, built in since 6.0).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
]
# {% csp_nonce_attr %}: the admin's few inline styles carry the request's nonce.
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.csp")

# In every environment, so that a page that breaks under the policy breaks on a
# laptop and in the browser tests first. No inline script or style anywhere:
# behaviour lives in static/js/, and the admin's nonce'd <style> is the only
# inline element allowed. Bootstrap's CSS draws its icons from data: SVGs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Nothing the platform does needs these; a duty-log photo comes from a file
# input, which needs no camera permission.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# HTTPS behind the reverse proxy: HSTS, and plain-HTTP requests that reach
# gunicorn redirected. The health endpoint is exempt, for probes from inside
# the container. HSTS covers the site's own subdomains (the proxy serves all of
# them over HTTPS); preloading is for the owner of the registrable domain
# (a bureau's gov.cn zone) to decide, so W021 is silenced.
if SECURE_PROXY_SSL_HEADER:
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Reconnect when a kept-open database connection died (a PostgreSQL restart,
# a proxy's idle timeout) instead of failing the next request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
