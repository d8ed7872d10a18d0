"""Production: every secret from the environment, HTTPS only, cached templates. It refuses
to start without its own secrets, Stripe keys, bank account and site address, or on the
demo's published ones (deployment.py)."""

import sys

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .deployment import deployment_problems, deployment_values
from .env import env_bool, env_int, env_str

DEBUG = False
# Read again without the demo defaults of base.py: each must come from the environment.
SECRET_KEY = env_str("SECRET_KEY", "")
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "")
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
PLATFORM_BANK_ACCOUNT = {
    "name": env_str("PLATFORM_BANK_ACCOUNT_NAME", ""),
    "bank": env_str("PLATFORM_BANK_NAME", ""),
    "number": env_str("PLATFORM_BANK_ACCOUNT_NUMBER", ""),
}
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "")

# Stripe: the real API and Stripe.js unless told otherwise.
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_JS_URL = env_str("STRIPE_JS_URL", "https://js.stripe.com/v3/")
STRIPE_LOCALSTRIPE = False  # card numbers never reach a production server, whatever the env

# Settlement (income ledger, purchase facts, emails) runs on Celery workers, never eagerly in
# the web request: without a broker production does not start.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
if not CELERY_BROKER_URL or CELERY_BROKER_URL.startswith("memory://"):
    raise ImproperlyConfigured(
        "Production settings refuse to start without CELERY_BROKER_URL (e.g. "
        "redis://127.0.0.1:6379/0): settlement would run eagerly in the web request."
    )
CELERY_TASK_ALWAYS_EAGER = False
# Settlement and nightly work on queues of their own, so each can get its own workers
# (docs/scaling.md); everything else (emails, sweeps, the heartbeat) on the default queue.
CELERY_TASK_ROUTES = {
    "producers.income.tasks.settlement_allocate_task": {"queue": "settlement"},
    "producers.income.tasks.refund_reverse_task": {"queue": "settlement"},
    "evaluation.tasks.purchase_facts_settle_task": {"queue": "settlement"},
    "evaluation.tasks.purchase_facts_refund_task": {"queue": "settlement"},
    "marketplace.payment.tasks.webhook_event_process_task": {"queue": "settlement"},
    "marketplace.catalogue.tasks.certificates_expire_task": {"queue": "nightly"},
    "producers.income.tasks.households_monitor_task": {"queue": "nightly"},
    "evaluation.tasks.scorecards_refresh_open_years_task": {"queue": "nightly"},
    "marketplace.invoicing.tasks.invoices_remind_overdue_task": {"queue": "nightly"},
}
# Beat keeps its schedule (and when each entry last ran) in the database: a restarted beat
# neither skips nor repeats a nightly run. Entries of CELERY_BEAT_SCHEDULE are synced into it.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

_problems = deployment_problems(deployment_values(sys.modules[__name__]))
if _problems:
    raise ImproperlyConfigured(
        "Production settings refuse to start: " + " ".join(message for _, message in _problems)
    )

# Persistent database connections: without them every request starts a new PostgreSQL
# backend. The benchmarks in docs/scaling.md run this way; DATABASE_CONN_MAX_AGE=0 turns it
# off (a pooler in front of PostgreSQL, say). The health check replaces a connection the
# server has closed before a request uses it.
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    _database["CONN_HEALTH_CHECKS"] = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Login throttling keyed on the real client address: the proxies in front of the site append
# it to X-Forwarded-For (see config/settings/base.py, AXES_*).
if env_int("AXES_PROXY_COUNT", 0):
    AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Cached template loaders (Django enables them when DEBUG is off and no loaders are set).
TEMPLATES[0]["OPTIONS"]["debug"] = False  # noqa: F405

# One cache for web, worker and beat (the page cache; the health check's heartbeats, which
# a per-process cache cannot carry from the worker to the web: /health/ then fails).
if env_str("REDIS_CACHE_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": env_str("REDIS_CACHE_URL"),
        }
    }
    # Sessions read from that shared cache and written through to the database: a signed-in
    # page asks no SQL for its session, and a cache emptied by a restart falls back to the
    # rows (an unreachable one fails the page, as it fails /health/; docs/scaling.md). Not
    # with a per-process cache: another worker would keep serving a session its own copy
    # still holds after the buyer signed out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# No SMS provider until one is configured: the console backend would print codes.
SMS_BACKEND = env_str("SMS_BACKEND", "marketplace.users.sms.UnavailableSmsBackend")
