"""The signed-in customer's number of unread notifications, for a header that shows it.

Oscar's context processor counts them on every page a template renders, although the
site's header does not show the count (issue 25: four statements of every checkout). Here
the count is asked for when a template uses it, as often as it is used within a page, and
always from the notifications table, so it is never stale."""

from django.utils.functional import SimpleLazyObject

from .selectors import notifications_unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "num_unread_notifications": SimpleLazyObject(lambda: notifications_unread_count(user=user))
    }
