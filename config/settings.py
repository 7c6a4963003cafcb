"""One settings file, read from the environment.

Unset variables give the embedded default: SQLite file, Celery eager,
local-memory cache, DEBUG on. Production sets DATABASE_URL, REDIS_URL,
SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.ratelimit import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
DEV_WEBHOOK_SECRET = "dev-order-webhook-secret"


def env_str(name: str, default: str = "") -> str:
    return os.getenv(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.getenv(name)
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str) -> str:
    """A request rate ("600", "600/min", "10/s", "36000/h"; empty: no limit), refused when the
    settings load, so a typo stops the process at start-up instead of every request."""
    value = env_str(name, default)
    try:
        parse_rate(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    return value


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
ORDER_WEBHOOK_SECRET = env_str("ORDER_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET)
SAMPLE_MONTHLY_CAP = env_int("SAMPLE_MONTHLY_CAP", 20)
# Clicks keep a salted hash of the IP, never the IP; rotate the salt to unlink old hashes.
CLICK_IP_SALT = env_str("CLICK_IP_SALT", SECRET_KEY)
REDIS_URL = env_str("REDIS_URL")
# Clicks of /l/<code> go through a Redis stream flushed by beat; empty: written directly.
CLICK_BUFFER_URL = env_str("CLICK_BUFFER_URL", REDIS_URL)
CLICK_STREAM = env_str("CLICK_STREAM", "clicks")
CLICK_STREAM_MAXLEN = env_int("CLICK_STREAM_MAXLEN", 1_000_000)
CLICK_FLUSH_BATCH = env_int("CLICK_FLUSH_BATCH", 1000)
CLICK_CLAIM_IDLE_MS = env_int("CLICK_CLAIM_IDLE_MS", 60_000)
LINK_CACHE_SECONDS = env_int("LINK_CACHE_SECONDS", 60)
# Per client address, counted in the cache (core/ratelimit.py); empty: no limit.
# Above the redirect's limit clicks are not stored but shoppers still reach the storefront;
# the webhook's is a flood brake well above a storefront's flash-sale bursts.
REDIRECT_RATE_LIMIT = env_rate("REDIRECT_RATE_LIMIT", "600/min")
WEBHOOK_RATE_LIMIT = env_rate("WEBHOOK_RATE_LIMIT", "6000/min")
# New organisations per address, through the API and the portal's sign-up page alike.
SIGNUP_RATE_LIMIT = env_rate("SIGNUP_RATE_LIMIT", "30/h")
INVITATION_RATE_LIMIT = env_rate("INVITATION_RATE_LIMIT", "50/day")  # per organisation

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "core",
    "accounts",
    "merchants",
    "influencers",
    "matchmaking",
    "commissions",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestTooLargeMiddleware",
    "core.middleware.NulCharacterMiddleware",
    "core.middleware.JsonNestingMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Data stores ------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Seconds a connection is kept for the next request; 0 closes it after each one. Keep
        # it 0 under threaded servers (runserver), whose threads would each hold one.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
        # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction.
        disable_server_side_cursors=env_bool("DB_TRANSACTION_POOLING", False),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "market"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
# Beat entries expire so that a backlog after an outage does not run stale work twice.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "core.tasks.beat_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Notice mails whose on-commit message was lost; only notices under a day old.
    "resend-unmailed-notifications": {
        "task": "core.tasks.resend_unmailed_notifications",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "sweep-late-sample-requests": {
        "task": "influencers.tasks.sweep_late_sample_requests",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
    # Date-driven campaign moves; hourly so a campaign is persisted closed soon after midnight.
    "advance-campaigns": {
        "task": "matchmaking.tasks.advance_campaigns",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
    # Recommendation scores of every roster buyer, at night; the API uses them for 36 hours.
    "precompute-recommendations": {
        "task": "matchmaking.tasks.precompute_recommendations",
        "schedule": crontab(minute=0, hour=4),
        "options": {"expires": 3 * 3600},
    },
    "auto-accept-change-requests": {
        "task": "matchmaking.tasks.auto_accept_change_requests",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 840},
    },
    "sweep-stalled-product-imports": {
        "task": "merchants.tasks.sweep_stalled_imports",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "expire-stale-invitations": {
        "task": "accounts.tasks.expire_stale_invitations",
        "schedule": crontab(minute=15, hour=3),
        "options": {"expires": 3600},
    },
    # The click buffer: Redis stream -> PostgreSQL; a run stops after 8 s, before the next.
    "flush-click-stream": {
        "task": "commissions.tasks.flush_click_stream",
        "schedule": 10.0,
        "options": {"expires": 9},
    },
    # Order lines whose click had not reached the database yet (the click buffer).
    "retry-unattributed-lines": {
        "task": "commissions.tasks.retry_unattributed_lines",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "sweep-stalled-order-imports": {
        "task": "commissions.tasks.sweep_stalled_order_imports",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Settle every line past its return window as of today (Shanghai); a repeat settles nothing.
    "settle-commissions": {
        "task": "commissions.tasks.settle_commissions",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expires": 4 * 3600},
    },
    # Settlement runs whose worker died: no progress for SETTLEMENT_RESUME_AFTER_SECONDS.
    "resume-stalled-settlements": {
        "task": "commissions.tasks.resume_stalled_settlements",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Incentives of last month, after the night's settlement run; a repeat pays nothing more.
    "pay-incentives": {
        "task": "commissions.tasks.pay_incentives",
        "schedule": crontab(minute=30, hour=6, day_of_month=1),
        "options": {"expires": 6 * 3600},
    },
}

# --- Auth and accounts ------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_FORMS = {"signup": "accounts.forms.OrganisationSignupForm"}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": (
        f"{rate.count}/{rate.seconds}s/ip" if (rate := parse_rate(SIGNUP_RATE_LIMIT)) else None
    ),
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@selection.local")
# With EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend: the relay to send through.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# --- API --------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, refusing NUL in any field with a 400 naming it (core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "core.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Selection-service marketplace API",
    "DESCRIPTION": "Merchants, buyers and product-selection service providers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Every model has a "status"; name each enum after its model so the schema stays readable.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationStatusEnum": "accounts.models.Organisation.Status",
        "InvitationStatusEnum": "accounts.models.Invitation.Status",
        "ProductStatusEnum": "merchants.models.Product.Status",
        "ProductImportStatusEnum": "merchants.models.ProductImport.Status",
        "CampaignStatusEnum": "matchmaking.models.Campaign.Status",
        "EnrollmentStatusEnum": "matchmaking.models.Enrollment.Status",
        "EnrollmentReasonEnum": "matchmaking.models.Enrollment.Reason",
        "ChangeRequestStatusEnum": "matchmaking.models.ChangeRequest.Status",
        "ChangeRequestKindEnum": "matchmaking.models.ChangeRequest.Kind",
        "OrganisationRoleEnum": "accounts.models.Role",
        "LineupSlotRoleEnum": "influencers.models.LineupSlot.Role",
        "LivestreamStatusEnum": "influencers.models.Livestream.Status",
        "SampleRequestStatusEnum": "influencers.models.SampleRequest.Status",
        "OrderStatusEnum": "commissions.models.Order.Status",
        "OrderEventTypeEnum": "commissions.models.OrderEvent.Type",
        "PaymentKindEnum": "commissions.api.statements.PAYMENT_KIND_CHOICES",
        "CommissionStatusEnum": "commissions.models.Commission.Status",
        "SettlementRunStatusEnum": "commissions.models.SettlementRun.Status",
    },
}

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
# Any request body, refused from its Content-Length before it is read: a 20 MB CSV file and its
# multipart envelope fit (core/middleware.py RequestTooLargeMiddleware).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 21 * 1024 * 1024)
# Product CSV imports up to this many rows run in the request; larger ones in a Celery task.
PRODUCT_IMPORT_SYNC_MAX_ROWS = env_int("PRODUCT_IMPORT_SYNC_MAX_ROWS", 1000)
# Order CSV imports (the storefront's export) up to this many rows run in the request.
ORDER_IMPORT_SYNC_MAX_ROWS = env_int("ORDER_IMPORT_SYNC_MAX_ROWS", 1000)
# Settlement task: lines per batch (one transaction each); a running run silent this long
# lost its worker, and beat sends it again.
SETTLEMENT_BATCH_SIZE = env_int("SETTLEMENT_BATCH_SIZE", 1000)
# The operator's "run now" finishes in the request up to this many lines; larger runs (and
# every run, at 0) go to a Celery worker and show their progress.
SETTLEMENT_SYNC_MAX_LINES = env_int("SETTLEMENT_SYNC_MAX_LINES", 2000)
SETTLEMENT_RESUME_AFTER_SECONDS = env_int("SETTLEMENT_RESUME_AFTER_SECONDS", 600)

# --- Security (production defaults follow DEBUG) ----------------------------

# Where people reach the site. A plain-HTTP address (compose's trial on http://localhost) has
# no HTTPS to redirect to nor to keep cookies on; production's https:// address has both.
SITE_URL = env_str("SITE_URL", "")
HTTPS_SITE = not DEBUG and not SITE_URL.startswith("http://")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS_SITE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS_SITE)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS_SITE)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancer probes speak plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)  # also: clicks read X-Forwarded-For
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)  # proxies of ours in front of gunicorn
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# DRF's throttles (token, signup) find the client as clicks do: the X-Forwarded-For entry our
# proxies added, or REMOTE_ADDR. Unset, DRF keys on the whole header, which the client writes.
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT if BEHIND_TLS_PROXY else 0
# allauth's login and sign-up limits too; at 0 (its default) behind a proxy every visitor
# would share the proxy's address, and one guesser would lock everybody out.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT if BEHIND_TLS_PROXY else 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
