"""Tests: the same settings as production code paths, with fast hashing and no network."""

from .base import *  # noqa: F403

# The tests load the demo world (load_demo_world) as `make demo` does.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; the end-to-end worker test starts a real worker itself
# against CELERY_BROKER_URL (Redis in CI).
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-private"  # noqa: F405
