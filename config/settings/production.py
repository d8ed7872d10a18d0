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

_problems = deployment_problems(deployment_values(sys.modules[__name__]))
if _problems:
    raise ImproperlyConfigured(
        "Production settings refuse to start: " + " ".join(message for _, message in _problems)
    )

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

if env_str("REDIS_CACHE_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_CACHE_URL"),
        }
    }

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
