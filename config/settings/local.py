"""The demo and local development: DEBUG on, everything embedded."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
# The demo's order confirmation and shipping emails are printed by the worker, never sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
