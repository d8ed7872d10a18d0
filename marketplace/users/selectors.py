from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale

from .mobile import mobile_normalise
from .models import PrivacyPolicy

User = get_user_model()


def user_login_key(*, identifier: str) -> str:
    """One name per account for what a login box was given: a mobile number of an account
    with an e-mail address is that address; other numbers are their 11 digits; an address
    is itself in lower case."""
    number = mobile_normalise(identifier)
    if not number:
        return identifier.strip().lower()
    email = User._default_manager.filter(mobile=number).values_list("email", flat=True).first()
    return email.lower() if email else number


def privacy_policy_current(*, now=None):
    """The privacy policy in effect, in the current language where it is translated (else
    as written), or None while only the default text shipped with the code applies."""
    latest = (
        PrivacyPolicy.objects.filter(effective_from__lte=now or timezone.now())
        .select_related("locale")
        .first()
    )
    if latest is None:
        return None
    try:
        active = Locale.get_active()
    except Locale.DoesNotExist:
        return latest
    return latest.get_translation_or_none(active) or latest
