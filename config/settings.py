"""The one settings module. Every value that differs between machines comes from the environment.

The embedded default (nothing set) is SQLite, a filesystem message queue for the background
worker, local files and e-mails written to disk. Production sets DATABASE_URL, REDIS_URL, the
SMTP and storage variables, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false. The README lists them all.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PILOTE_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from error


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
# The placeholder of .env.example, refused like any key Django's deployment check calls weak.
PLACEHOLDER_SECRET_KEYS = {"change-me-to-a-long-random-string"}
SECRET_KEY_MIN_LENGTH = 50
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "insecure-development-key-only-for-the-embedded-default"  # noqa: S105
elif not DEBUG and (
    SECRET_KEY in PLACEHOLDER_SECRET_KEYS
    or len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is a placeholder or too weak for DEBUG=false: set at least "
        f"{SECRET_KEY_MIN_LENGTH} random characters (for instance the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "firms",
    "jobs",
    "outbox",
    "clients",
    "fiscal_questionnaire",
    "cartography",
    "mandates",
    "scoring",
    "reports",
    "invoicing",
    "self_service",
    "portfolio",
    "exports",
    "privacy",
    "campaigns",
    "demo",
]

MIDDLEWARE = [
    # First, so that every response carries the policies, redirects and static files included.
    "config.security_headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "firms.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "firms.middleware.IdleSessionMiddleware",
    # Last: resolves the firm from the URL and wraps the rest of the request in its scope.
    "firms.middleware.FirmMiddleware",
]

if not DEBUG:
    # Production serves its static files itself, compressed and with far-future caching.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "firms.context_processors.firm",
            ],
        },
    },
    {
        # E-mail subjects and plain-text parts (firms.emails): the same templates, rendered
        # without HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database --------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'pilote.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write to the same file: wait for the lock instead of
    # failing, and take it up front so a read never has to be upgraded to a write.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # A database that does not answer fails a request (and /health/) in seconds, never hangs it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
    if test_name := env_str("DATABASE_TEST_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": test_name}
# The role that web and worker processes connect as on PostgreSQL. Migrations run as the owner
# of the tables and grant this role what it needs; it is never the owner, so row-level security
# applies to it.
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, broker, background jobs -------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
QUEUE_DIR = VAR_DIR / "queue"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering costs a request a second, not forever.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    # A real worker process with no server: messages are files in a shared folder.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(QUEUE_DIR / "messages"),
        "data_folder_out": str(QUEUE_DIR / "messages"),
        "processed_folder": str(QUEUE_DIR / "processed"),
        "store_processed": False,
        "polling_interval": 0.1,
    }

# Job rows carry the state the interface shows; Celery's own results are not needed.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 900)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 960)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds a web request may wait for the broker when it hands work over (outbox.dispatch):
# with the broker down, the request answers and the work waits for the sweeper.
BROKER_PUBLISH_TIMEOUT = 1.0
# After a failed publication, seconds during which a process does not try the broker again (the
# work waits in the database for the sweepers; jobs.broker).
BROKER_RETRY_AFTER = env_int("BROKER_RETRY_AFTER", 30)
if BROKER_RETRY_AFTER < 0:
    raise ImproperlyConfigured(f"BROKER_RETRY_AFTER must be 0 or more, not {BROKER_RETRY_AFTER}")
CELERY_TIMEZONE = "Europe/Paris"

# Periodic tasks (celery beat): the portfolio snapshot of every firm, each Monday morning; the
# purge of old uploaded client files, each night; of expired export files, each hour; the sweep
# of stalled jobs, every minute.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "weekly-portfolio-snapshots": {
        "task": "portfolio.take_portfolio_snapshots",
        "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
    },
    # Signature requests older than each firm's delay expire, every night.
    "daily-mandate-expiry": {
        "task": "mandates.expire_mandates",
        "schedule": crontab(minute=15, hour=2),
    },
    # Uploaded client files past CLIENT_IMPORT_RETENTION_DAYS, every night.
    "daily-client-import-purge": {
        "task": "clients.purge_import_files",
        "schedule": crontab(minute=30, hour=3),
    },
    # The IP addresses logged by clients' self-service links, past 12 months, every night.
    "daily-self-service-ip-purge": {
        "task": "self_service.purge_ips",
        "schedule": crontab(minute=50, hour=3),
    },
    # What an erasure of a person's data kept for a legal duty, once the duty ended, every night.
    "daily-retained-data-purge": {
        "task": "privacy.purge_retained_rows",
        "schedule": crontab(minute=0, hour=4),
    },
    # The rows of the dashboard's write log older than a day, every night.
    "daily-portfolio-write-log-trim": {
        "task": "portfolio.trim_write_log",
        "schedule": crontab(minute=10, hour=4),
    },
    # Export files kept past their firm's delay (7 days by default), every hour.
    "hourly-export-purge": {
        "task": "exports.purge_expired_exports",
        "schedule": crontab(minute=45),
    },
    # Running jobs whose worker died: requeued once (idempotent kinds) or failed.
    "stalled-jobs-sweep": {
        "task": "jobs.sweep_stalled_jobs",
        "schedule": 60.0,
    },
    # The worker's proof of life for /health/.
    "worker-heartbeat": {
        "task": "jobs.heartbeat",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    # E-mails of the outbox whose task was lost are handed to the worker again; those stuck
    # while sending are marked for a person to check (never resent automatically).
    "outbox-sweep": {
        "task": "outbox.sweep_outbox",
        "schedule": 60.0,
    },
}

# Files ---------------------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

FILE_STORAGE = env_str("FILE_STORAGE", "local")
if FILE_STORAGE == "local":
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
elif FILE_STORAGE == "s3":
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("S3_BUCKET must be set when FILE_STORAGE is s3")
else:
    raise ImproperlyConfigured(f"FILE_STORAGE must be 'local' or 's3', not {FILE_STORAGE!r}")

STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploaded client files are deleted this many days after their import's last step.
CLIENT_IMPORT_RETENTION_DAYS = env_int("CLIENT_IMPORT_RETENTION_DAYS", 30)
if CLIENT_IMPORT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(
        f"CLIENT_IMPORT_RETENTION_DAYS must be at least 1, not {CLIENT_IMPORT_RETENTION_DAYS}"
    )
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

# The address the app is reached at, for the links written outside a request (a client's
# self-service questionnaire, e-mails of campaigns, command line); empty: http://127.0.0.1:8000
# there, and the request's own address for the links written in a request (invitations).
SITE_URL = env_str("SITE_URL").rstrip("/")
# The IP addresses of the requests through a client's link are blanked after this many days.
SELF_SERVICE_IP_RETENTION_DAYS = env_int("SELF_SERVICE_IP_RETENTION_DAYS", 365)
if SELF_SERVICE_IP_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(
        f"SELF_SERVICE_IP_RETENTION_DAYS must be at least 1, not {SELF_SERVICE_IP_RETENTION_DAYS}"
    )

# E-mail --------------------------------------------------------------------------------------
# Seconds each SMTP network operation may take; a whole conversation is bounded by three times
# that (outbox.backends), and the outbox's sweeper counts on the bound.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
if not 1 <= EMAIL_TIMEOUT <= 120:
    raise ImproperlyConfigured(
        f"EMAIL_TIMEOUT must be between 1 and 120 seconds, not {EMAIL_TIMEOUT}"
    )
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    # Django's SMTP backend, telling a temporary refusal, a permanent one and a connection lost
    # after the message was handed over apart (the outbox needs the difference).
    EMAIL_BACKEND = "outbox.backends.SMTPBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
else:
    # Embedded default: each e-mail is a file in var/mail, to read with any text editor.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pilote FE <no-reply@pilote-fe.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Users, sessions, security -------------------------------------------------------------------
AUTH_USER_MODEL = "firms.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "firms.passwords.DecoratedCommonPasswordValidator"},
]
# Two-factor authentication (firms.two_factor): the name authenticator apps show, and how long
# a wrong code slows the next attempt (doubling each time).
OTP_TOTP_ISSUER = "Pilote FE"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute force: five failures for one account from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A session left idle this long ends too (seconds).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Sent on every response by config.security_headers. The templates hold no inline script or
# style (tests/test_templates_csp.py), so nothing needs 'unsafe-inline' or 'unsafe-eval'.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# No page uses these browser features.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # The containers' health checks ask over the private network, in plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Language and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["firms.authentication.MembershipTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "firms.access.WriteRolePermission",
    ],
    # A JSON body must be an object: a list or a number is a 400 with a message.
    "DEFAULT_PARSER_CLASSES": [
        "config.api_parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "firms.api_schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "firms.api_pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # French 404s instead of Django's "No Client matches the given query."
    "EXCEPTION_HANDLER": "config.api_exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pilote FE API",
    "DESCRIPTION": "Versioned REST API of Pilote FE, scoped to the firm of the token.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get components of their own: required texts with their minimum length,
    # read-only fields left out.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the project's own static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge image from the public validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Two "kind" fields with their own choices: each enum named for what it is.
    "ENUM_NAME_OVERRIDES": {
        "MandateKindEnum": "mandates.models.MandateKind",
        "InvoiceKindEnum": "invoicing.models.InvoiceKind",
        "CampaignKindEnum": "campaigns.models.CampaignKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every step of every PDF at INFO, and fontTools its subsetting.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
