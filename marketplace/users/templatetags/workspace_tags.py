from django import template

from ..workspaces import workspaces_of

register = template.Library()


@register.simple_tag(takes_context=True)
def user_workspaces(context):
    """The header's links to the workspaces of the signed-in user's roles."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return workspaces_of(user=user) if user is not None else []
