"""Settings shared by every environment. Values come from environment variables
with defaults that run the demo on one machine (SQLite, eager Celery, localstripe)."""

import warnings
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403  Oscar's OSCAR_* defaults, overridden below

from .deployment import DEMO_VALUES
from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("DONGXI_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", DEMO_VALUES["SECRET_KEY"])
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Household personal data (register, ID and phone numbers) is encrypted with this key.
# Without it, a key is derived from SECRET_KEY; production must set its own.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "")

INSTALLED_APPS = [
    # Project apps first so that their templates and translations win.
    "marketplace.users",
    "marketplace.organisations",
    "marketplace.invoicing",
    "producers",
    "producers.income",
    "evaluation",
    "cms",
    "config.apps.ProjectConfig",  # deploy checks: no demo secrets in production
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    # Oscar, with the apps this marketplace changes forked under marketplace/
    "oscar.config.Shop",
    "marketplace.analytics.apps.AnalyticsConfig",
    "marketplace.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "marketplace.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "marketplace.partner.apps.PartnerConfig",
    "marketplace.basket.apps.BasketConfig",
    "marketplace.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "marketplace.order.apps.OrderConfig",
    "marketplace.customer.apps.CustomerConfig",
    "marketplace.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "marketplace.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "marketplace.dashboard.orders.apps.OrdersDashboardConfig",
    "marketplace.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
    "widget_tweaks",
    # Wagtail
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Login throttling and the Content Security Policy
    "axes",
    "csp",
    # The read-only evaluation API for provincial systems
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Beat's schedule in the database (production's beat uses its DatabaseScheduler).
    "django_celery_beat",
]

MIDDLEWARE = [
    # Operations first: the load balancer's probe, then one log line per request (config/ops).
    "config.ops.middleware.HealthCheckMiddleware",
    "config.ops.logs.RequestLogMiddleware",
    # With a read replica configured: which database each read of the request goes to.
    *(["config.db_router.ReplicaMiddleware"] if env_str("DATABASE_REPLICA_URL", "") else []),
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Oscar's basket middleware, loading the basket in fewer queries (checkout).
    "marketplace.checkout.middleware.BasketMiddleware",
    # A payment left on the pay page gives the basket back on the next page (checkout).
    "marketplace.checkout.middleware.PaymentRecoveryMiddleware",
    "config.security.StripeAwareCSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Catalogue pages for anonymous visitors; it never answers a login (axes' concern).
    "marketplace.catalogue.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                # Oscar's count of unread notifications, asked only where a page shows it.
                "marketplace.customer.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dongxi.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's SQLite file under concurrent requests: readers do not wait for the writer
    # (WAL), a writer waits up to 20 s for its turn, and every transaction takes the write lock
    # when it begins (IMMEDIATE), so two that read then write cannot deadlock into an instant
    # "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# A streaming replica of the primary (docs/scaling.md, "Read replicas"): web requests read
# the storefront's, the CMS's and evaluation's models from it (config/db_router.py has the
# rule); checkout, stock, the ledger and every write stay on the primary. Unset: one database.
# A visitor who posted a change reads the primary for DATABASE_REPLICA_PIN_SECONDS after it.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0)
    )
    # A replica that does not answer fails a page (and /health/) in seconds, not minutes.
    DATABASES["replica"]["OPTIONS"] = {
        "connect_timeout": 5,
        **DATABASES["replica"].get("OPTIONS", {}),
    }
    # Test runs make one test database: the alias then reads it through the primary.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses logins of a locked-out user before any password is checked (django-axes).
    "config.security.LoginThrottleBackend",
    # The login box takes a mobile number or an e-mail address (marketplace.users).
    "marketplace.users.backends.MobileBackend",
    "marketplace.users.backends.EmailBackend",
    # Oscar's own, after ours (which answers first): sessions signed in before ours
    # replaced it name it, and stay signed in.
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "customer:login"
LOGIN_REDIRECT_URL = "/"

# Text messages (sign-up codes by mobile number): a dotted path to a subclass of
# marketplace.users.sms.BaseSmsBackend. The console backend prints them (demo, tests);
# production defaults to one that sends nothing until a provider's backend is configured.
SMS_BACKEND = env_str("SMS_BACKEND", "marketplace.users.sms.ConsoleSmsBackend")
SMS_CODE_MINUTES = env_int("SMS_CODE_MINUTES", 10)  # how long a code works
SMS_CODE_MAX_ATTEMPTS = 5  # wrong tries before a code is dead
SMS_RESEND_SECONDS = env_int("SMS_RESEND_SECONDS", 60)  # per number, between two messages
SMS_CODES_PER_HOUR = env_int("SMS_CODES_PER_HOUR", 5)  # per number

# Languages: Simplified Chinese first, English second; China Standard Time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

SITE_ID = 1

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Evidence documents and payout receipts are personal or business data: they live outside
# MEDIA_ROOT (never served as files) and reach users only through permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "producers.storage.PrivateStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Pages anonymous visitors get from the cache (marketplace/catalogue/page_cache.py): the view
# and the function giving the version of the data it shows. Of the CMS, only these page types.
_CATALOGUE_VERSION = "marketplace.catalogue.caching.catalogue_version"
PAGE_CACHE_VIEWS = {
    "catalogue:index": _CATALOGUE_VERSION,
    "catalogue:category": _CATALOGUE_VERSION,
    "catalogue:detail": _CATALOGUE_VERSION,
    "search:search": _CATALOGUE_VERSION,
    "wagtail_serve": "cms.caching.county_page_version",
}
PAGE_CACHE_PAGE_TYPES = ["cms.countypage"]

# Email: printed to the console unless an SMTP URL is configured in production.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "东西 Dongxi <noreply@dongxi.example>")

# Celery: with no broker configured, tasks run eagerly in the web process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = env_str("CELERY_BROKER_URL", "") == ""
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "certificates-expire-nightly": {
        "task": "marketplace.catalogue.tasks.certificates_expire_task",
        "schedule": crontab(hour=0, minute=10),
    },
    "stock-reservations-release-expired": {
        "task": "marketplace.payment.tasks.reservations_release_expired_task",
        "schedule": crontab(minute="*/5"),
    },
    "stripe-webhook-events-retry-unprocessed": {
        "task": "marketplace.payment.tasks.webhook_events_retry_unprocessed_task",
        "schedule": crontab(minute="*/5"),
    },
    # Refunds left pending (Stripe still processing, or a crash before its answer was
    # recorded) are asked about again.
    "stripe-refunds-pending-sweep": {
        "task": "marketplace.payment.tasks.refunds_pending_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    "income-households-monitor-nightly": {
        "task": "producers.income.tasks.households_monitor_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # The ledger has no database foreign keys: this proves its references and sums
    # (producers/income/integrity.py), logging each difference as an error.
    "income-ledger-check-nightly": {
        "task": "producers.income.tasks.ledger_integrity_check_task",
        "schedule": crontab(hour=4, minute=0),
    },
    # The tables partitioned by year (core/partitions.py, decision 0008) get next year's
    # partition ahead of time, so that no row waits in DEFAULT; idempotent.
    "partitions-ahead-daily": {
        "task": "config.tasks.partitions_ahead_task",
        "schedule": crontab(hour=4, minute=30),
    },
    "invoices-remind-overdue-daily": {
        "task": "marketplace.invoicing.tasks.invoices_remind_overdue_task",
        "schedule": crontab(hour=9, minute=0),
    },
    "evaluation-scorecards-refresh-nightly": {
        "task": "evaluation.tasks.scorecards_refresh_open_years_task",
        "schedule": crontab(hour=2, minute=0),
    },
    # Households that left the register long enough ago lose their personal data
    # (HOUSEHOLD_RETENTION_YEARS; evaluation/services/retention.py).
    "households-personal-data-retention-nightly": {
        "task": "evaluation.tasks.households_retention_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Beat and a worker prove themselves alive to the health check (config/ops/heartbeat.py).
    "ops-heartbeat": {
        "task": "config.tasks.heartbeat_task",
        "schedule": float(env_int("HEALTH_HEARTBEAT_SECONDS", 60)),
    },
}
# The health check's URL (config/ops/middleware.py) and how long beat or a worker may go
# unseen before it reports them (the heartbeat comes every HEALTH_HEARTBEAT_SECONDS).
HEALTH_URL = env_str("HEALTH_URL", "/health/")
HEALTH_HEARTBEAT_MAX_AGE = env_int("HEALTH_HEARTBEAT_MAX_AGE", 180)

# Income tracing: platform fee taken before allocation (0–1), days after which unpaid
# household income is flagged to the county office, drop that raises an early warning.
INCOME_PLATFORM_FEE_RATE = env_str("INCOME_PLATFORM_FEE_RATE", "0")
INCOME_PAYOUT_OVERDUE_DAYS = env_int("INCOME_PAYOUT_OVERDUE_DAYS", 30)
INCOME_SHARP_DROP_PERCENT = env_int("INCOME_SHARP_DROP_PERCENT", 30)

# Personal data retention (PIPL art. 19: no longer than the purpose needs). A household that
# left the register keeps its register number, phone and full head's name this many years
# after it left, then the nightly run erases them (the row, ledger and facts stay). Five
# years: the transition period (过渡期) over which exited households are monitored and east-west
# pairings evaluated, so a year's scorecards can still be checked household by household.
# The run also waits until every year with the household's income is locked and nothing is
# owed to it.
HOUSEHOLD_RETENTION_YEARS = env_int("HOUSEHOLD_RETENTION_YEARS", 5)

# Stripe: every call goes through marketplace.payment's gateway. STRIPE_API_BASE points
# the library at localstripe in the demo and in integration tests.
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "http://127.0.0.1:8420")
# The demo values of keys, bank account and site address (deployment.py) are published here:
# production refuses them.
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", DEMO_VALUES["STRIPE_PUBLISHABLE_KEY"])
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", DEMO_VALUES["STRIPE_SECRET_KEY"])
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", DEMO_VALUES["STRIPE_WEBHOOK_SECRET"])
# Stripe.js: localstripe's stand-in in the demo, https://js.stripe.com/v3/ in production.
STRIPE_JS_URL = env_str("STRIPE_JS_URL", f"{STRIPE_API_BASE}/js.stripe.com/v3/")
# localstripe's Stripe.js stand-in cannot confirm a PaymentIntent with a card. With this on,
# the pay page hands the stand-in card's test number to the site, which confirms at
# localstripe; production settings switch it off whatever the environment says.
STRIPE_LOCALSTRIPE = env_bool("STRIPE_LOCALSTRIPE", True)
# Seconds to wait for Stripe before the customer is told to try again (one retry).
STRIPE_TIMEOUT_SECONDS = env_int("STRIPE_TIMEOUT_SECONDS", 10)
# Alipay and WeChat Pay only for accounts that have them enabled at Stripe.
STRIPE_ALIPAY_ENABLED = env_bool("STRIPE_ALIPAY_ENABLED", False)
STRIPE_WECHAT_PAY_ENABLED = env_bool("STRIPE_WECHAT_PAY_ENABLED", False)
# Stock is held for an unpaid checkout this long, then released (and the PaymentIntent
# cancelled) by reservations_release_expired.
STOCK_RESERVATION_MINUTES = env_int("STOCK_RESERVATION_MINUTES", 15)

# Institutional buyers: orders above this amount (CNY) wait for an approver; invoices are
# due this many days after acceptance and are paid by corporate transfer to this account.
ORGANISATION_APPROVAL_THRESHOLD = Decimal(env_str("ORGANISATION_APPROVAL_THRESHOLD", "5000.00"))
INVOICE_PAYMENT_DAYS = env_int("INVOICE_PAYMENT_DAYS", 30)
# A basket CSV holds at most this many rows; its upload page lists at most this many errors.
BASKET_IMPORT_MAX_ROWS = env_int("BASKET_IMPORT_MAX_ROWS", 500)
BASKET_IMPORT_ERRORS_SHOWN = 50
INVOICE_REMINDER_INTERVAL_DAYS = env_int("INVOICE_REMINDER_INTERVAL_DAYS", 7)
# Where the platform's Stripe account supports Stripe Invoicing, finance may also send an
# invoice through it; its invoice.paid webhook settles the invoice.
STRIPE_INVOICING_ENABLED = env_bool("STRIPE_INVOICING_ENABLED", False)
PLATFORM_BANK_ACCOUNT = {
    "name": env_str("PLATFORM_BANK_ACCOUNT_NAME", DEMO_VALUES["PLATFORM_BANK_ACCOUNT_NAME"]),
    "bank": env_str("PLATFORM_BANK_NAME", DEMO_VALUES["PLATFORM_BANK_NAME"]),
    "number": env_str("PLATFORM_BANK_ACCOUNT_NUMBER", DEMO_VALUES["PLATFORM_BANK_ACCOUNT_NUMBER"]),
}

# Oscar
OSCAR_SHOP_NAME = _("东西 · 消费帮扶商城")
OSCAR_SHOP_TAGLINE = _("买东西，帮西部")
OSCAR_DEFAULT_CURRENCY = "CNY"
# "¥" in every language (Babel would write "CN¥" in English).
OSCAR_CURRENCY_FORMAT = {"CNY": {"format": "¥#,##0.00", "currency_digits": False}}
OSCAR_HOMEPAGE = reverse_lazy("catalogue:index")
OSCAR_SLUG_FUNCTION = "marketplace.slugs.pinyin_slugify"
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = False
# Reviews: signed-in customers only, shown once platform staff approve them in the dashboard.
OSCAR_ALLOW_ANON_REVIEWS = False
OSCAR_MODERATE_REVIEWS = True
# Flatpages are not installed (Wagtail owns content pages): drop their dashboard entry.
OSCAR_DASHBOARD_NAVIGATION = [
    {
        **section,
        "children": [
            child
            for child in section.get("children", [])
            if child.get("url_name") != "dashboard:page-list"
        ],
    }
    if "children" in section
    else section
    for section in OSCAR_DASHBOARD_NAVIGATION  # noqa: F405
]
# Platform staff: Stripe webhook events that keep failing, beside the orders.
for _section in OSCAR_DASHBOARD_NAVIGATION:
    if any(c.get("url_name") == "dashboard:order-list" for c in _section.get("children", [])):
        _section["children"].append(
            {"label": _("Stripe 通知"), "url_name": "dashboard:payment-webhook-list"}
        )

# Oscar's product search (haystack) and Wagtail's page search stay separate.
# The simple backend searches the database directly; it has no index to update.
warnings.filterwarnings("ignore", message="update is not implemented in this backend")
HAYSTACK_CONNECTIONS = {
    "default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"},
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Wagtail
WAGTAIL_SITE_NAME = "东西 Dongxi"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", DEMO_VALUES["WAGTAILADMIN_BASE_URL"])
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
# Every uploaded image (Oscar's product and category images, the CMS's images) within
# these caps, read from its header before anything decodes it (producers/validators.py).
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_PIXELS", 40_000_000)  # 8000×5000
WAGTAILIMAGES_MAX_UPLOAD_SIZE = IMAGE_UPLOAD_MAX_BYTES
WAGTAILIMAGES_MAX_IMAGE_PIXELS = IMAGE_UPLOAD_MAX_PIXELS
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.forms.ImageForm"
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# No Gravatar: the Content Security Policy refuses images from other origins (and it would
# send editors' hashed e-mail addresses abroad); the admin shows its default avatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # Oscar's basket JS reads the token from the cookie.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account
# from one address, that pair is locked out for AXES_COOLOFF_TIME (a page in Chinese, 429).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
AXES_USERNAME_CALLABLE = "config.security.login_username"
# The client address is REMOTE_ADDR (a forged X-Forwarded-For must not dodge the lockout);
# production behind a proxy says how many hops X-Forwarded-For has (AXES_PROXY_COUNT).
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Content Security Policy (django-csp). config.security adds the origins of Stripe.js and
# the Stripe API from the STRIPE_* settings on every response. Inline scripts and styles
# are still allowed: Oscar's and Wagtail's templates use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],  # Wagtail's preview frames our own pages
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Oscar logs every stock-alert pass and Wagtail every publish at INFO.
        "oscar": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # Wagtail's background tasks (search index, references) log every run at INFO.
        "django_tasks": {"level": "WARNING"},
    },
}

# Evaluation: a pairing whose purchases from exited counties fall by more than this
# percentage year over year is flagged (摘帽不摘帮扶); a December order this many times the
# pairing's average order is flagged as an anomaly.
EVALUATION_SLACK_DECLINE_PERCENT = env_int("EVALUATION_SLACK_DECLINE_PERCENT", 20)
EVALUATION_LARGE_ORDER_FACTOR = env_int("EVALUATION_LARGE_ORDER_FACTOR", 5)

# The evaluation API is read-only; provincial systems authenticate with a token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dongxi evaluation API",
    "DESCRIPTION": "Read-only scorecards and purchase facts of east–west and designated pairings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["evaluation.api.schema.endpoints_of_the_evaluation_api"],
}
