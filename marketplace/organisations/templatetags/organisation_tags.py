from django import template

from marketplace.organisations import access

register = template.Library()


@register.simple_tag(takes_context=True)
def buys_for_an_organisation(context) -> bool:
    """{% buys_for_an_organisation as can %}: the signed-in user may place organisation
    orders (one query)."""
    user = context["request"].user
    return user.is_authenticated and access.organisations_for_buyer(user).exists()
