from django.contrib.auth import get_user_model

from .mobile import mobile_normalise

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
