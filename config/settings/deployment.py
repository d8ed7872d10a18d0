"""What a deployment must set itself: the demo's values are published in this repository,
so a site running on them takes payments with a Stripe key anyone may know, accepts
webhooks anyone can sign, prints the demo bank account on invoices and encrypts household
data with a guessable key. base.py uses DEMO_VALUES as its defaults (so `make demo` runs
on them); production.py refuses to start on them and config.checks reports them under
`manage.py check --deploy`. Plain Python: settings modules import it."""

from collections.abc import Mapping
from urllib.parse import urlsplit

DEMO_VALUES: dict[str, str] = {
    "SECRET_KEY": "dongxi-insecure-development-key-change-me",
    "STRIPE_SECRET_KEY": "sk_test_dongxi_demo",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_dongxi_demo",
    "STRIPE_WEBHOOK_SECRET": "whsec_dongxi_demo",
    "PLATFORM_BANK_ACCOUNT_NAME": "东西消费帮扶平台运营有限公司",
    "PLATFORM_BANK_NAME": "中国工商银行杭州西湖支行",
    "PLATFORM_BANK_ACCOUNT_NUMBER": "1202 0212 0990 0123 456",
    "WAGTAILADMIN_BASE_URL": "http://127.0.0.1:8000",
}

# The environment variable of each value and the prefixes Stripe gives its keys.
REQUIRED = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "PLATFORM_BANK_ACCOUNT_NAME",
    "PLATFORM_BANK_NAME",
    "PLATFORM_BANK_ACCOUNT_NUMBER",
    "WAGTAILADMIN_BASE_URL",
)
STRIPE_PREFIXES = {
    "STRIPE_SECRET_KEY": ("sk_", "rk_"),
    "STRIPE_PUBLISHABLE_KEY": ("pk_",),
    "STRIPE_WEBHOOK_SECRET": ("whsec_",),
}
MIN_KEY_LENGTH = {"SECRET_KEY": 50, "FIELD_ENCRYPTION_KEY": 32}
MIN_DISTINCT_CHARACTERS = 10


def deployment_values(source) -> dict[str, str]:
    """The values REQUIRED reads, by environment variable, from a settings object or module."""
    bank = getattr(source, "PLATFORM_BANK_ACCOUNT", None) or {}
    values = {
        name: getattr(source, name, "")
        for name in REQUIRED
        if not name.startswith("PLATFORM_BANK_")
    }
    values["PLATFORM_BANK_ACCOUNT_NAME"] = bank.get("name", "")
    values["PLATFORM_BANK_NAME"] = bank.get("bank", "")
    values["PLATFORM_BANK_ACCOUNT_NUMBER"] = bank.get("number", "")
    values["STRIPE_LOCALSTRIPE"] = getattr(source, "STRIPE_LOCALSTRIPE", False)
    return values


def deployment_problems(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """(environment variable, what is wrong) for every value a real deployment may not run
    with: missing, the demo's, too weak a key, not a Stripe key of its kind, not a URL."""
    problems = []
    for name in REQUIRED:
        value = str(values.get(name) or "").strip()
        if not value:
            problems.append((name, f"Set the {name} environment variable."))
        elif value == DEMO_VALUES.get(name):
            problems.append((name, f"{name} is still the published demo value; set your own."))
        elif name in MIN_KEY_LENGTH and (
            len(value) < MIN_KEY_LENGTH[name]
            or len(set(value)) < MIN_DISTINCT_CHARACTERS
            or "insecure" in value
        ):
            problems.append(
                (
                    name,
                    f"{name} must be a random value of at least {MIN_KEY_LENGTH[name]} characters.",
                )
            )
        elif name in STRIPE_PREFIXES and not value.startswith(STRIPE_PREFIXES[name]):
            problems.append(
                (name, f"{name} must be a Stripe key starting {'/'.join(STRIPE_PREFIXES[name])}.")
            )
        elif name == "WAGTAILADMIN_BASE_URL":
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                problems.append((name, f"{name} must be the site's address, e.g. https://…/."))
    if values.get("STRIPE_LOCALSTRIPE"):
        problems.append(
            (
                "STRIPE_LOCALSTRIPE",
                "STRIPE_LOCALSTRIPE must be off: it sends card numbers through the site.",
            )
        )
    return problems
