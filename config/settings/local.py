"""The demo and local development: DEBUG on, everything embedded."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
# The demo world and its load_demo_world command; production settings never install it.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
# The demo's order confirmation and shipping emails are printed by the worker, never sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
