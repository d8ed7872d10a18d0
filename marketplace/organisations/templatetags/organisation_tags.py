from django import template

from marketplace.organisations import access, menu

register = template.Library()


@register.simple_tag(takes_context=True)
def buys_for_an_organisation(context) -> bool:
    """{% buys_for_an_organisation as can %}: the signed-in user may place organisation
    orders (one query)."""
    user = context["request"].user
    return user.is_authenticated and access.organisations_for_buyer(user).exists()


@register.simple_tag(takes_context=True)
def organisation_menu(context, organisation) -> list[tuple[str, str]]:
    """{% organisation_menu organisation as entries %}: the entries other areas add to the
    organisation workspace's menu that the signed-in user sees there."""
    return menu.menu_entries(user=context["request"].user, organisation=organisation)
