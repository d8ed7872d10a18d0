from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractPartner


class Partner(AbstractPartner):
    # Oscar's partner is any fulfilment partner; here every partner is one cooperative,
    # so stock, order lines and the partner dashboard follow the producer.
    cooperative = models.OneToOneField(
        "producers.Cooperative",
        verbose_name=_("合作社"),
        related_name="partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta(AbstractPartner.Meta):
        app_label = "partner"


from oscar.apps.partner.models import *  # noqa: E402,F403  Oscar's remaining partner models
