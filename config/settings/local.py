"""The demo and local development: DEBUG on, everything embedded."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
# The demo world and its load_demo_world command; production settings never install it.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
# The demo's order confirmation and shipping emails are printed by the worker, never sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo's localstripe (demo/localstripe_wallets.py) serves Alipay and WeChat Pay as Stripe
# does: the pay page offers both. Production turns them on only once the Stripe account has
# them (base settings: off).
STRIPE_ALIPAY_ENABLED = env_bool("STRIPE_ALIPAY_ENABLED", True)
STRIPE_WECHAT_PAY_ENABLED = env_bool("STRIPE_WECHAT_PAY_ENABLED", True)
# sorl-thumbnail's key-value store races when concurrent first requests make the same
# thumbnail ("not in kvstore", seen with 20 customers at once on the demo's preview page), and
# Oscar's image tag re-raises under DEBUG: a 500. Log it and show the page without that image,
# as production does.
OSCAR_THUMBNAIL_DEBUG = False
