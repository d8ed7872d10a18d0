"""Platform staff's page in Oscar's dashboard: Stripe webhook events that keep failing,
each with a button to try it again now. Cooperative staff (partner users) have no access:
the URLs' permissions (marketplace.dashboard.apps) and the views both check."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView
from oscar.core.loading import get_model

from marketplace.order.services import user_is_platform_staff

from .selectors import webhook_events_failing
from .services import webhook_event_retry

ProcessedWebhookEvent = get_model("payment", "ProcessedWebhookEvent")


class PlatformStaffOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not user_is_platform_staff(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class WebhookEventListView(PlatformStaffOnlyMixin, ListView):
    template_name = "oscar/dashboard/payments/webhook_event_list.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self):
        return webhook_events_failing()


class WebhookEventRetryView(PlatformStaffOnlyMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        stored = get_object_or_404(ProcessedWebhookEvent, pk=pk)
        stored = webhook_event_retry(event_id=stored.event_id, actor=request.user)
        stored.refresh_from_db()
        if stored.processed_at is not None:
            messages.success(request, _("Stripe 通知 %(id)s 已处理。") % {"id": stored.event_id})
        else:
            messages.info(
                request,
                _("Stripe 通知 %(id)s 已重新排队处理，请稍后刷新查看结果。")
                % {"id": stored.event_id},
            )
        return redirect("dashboard:payment-webhook-list")
