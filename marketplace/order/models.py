from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.abstract_models import AbstractLine


class Line(AbstractLine):
    # Oscar keeps only the partner (set to NULL if the partner goes); a basket here mixes
    # several cooperatives and every order line must keep its own for income tracing.
    cooperative = models.ForeignKey(
        "producers.Cooperative",
        verbose_name=_("合作社"),
        related_name="order_lines",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta(AbstractLine.Meta):
        app_label = "order"


from oscar.apps.order.models import *  # noqa: E402,F403  Oscar's remaining order models
