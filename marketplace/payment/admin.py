from django.contrib import admin
from oscar.apps.payment import admin as oscar_admin
from oscar.apps.payment.admin import *  # noqa: F403

from core.admin import ReadOnlyMixin


# A payment's source (allocated, debited, refunded) and its transactions are written by
# the settlement and refund services, with the payment events the ledger is built from.
class SourceAdmin(ReadOnlyMixin, oscar_admin.SourceAdmin):
    pass


class TransactionAdmin(ReadOnlyMixin, oscar_admin.TransactionAdmin):
    pass


for model, model_admin in (
    (oscar_admin.Source, SourceAdmin),
    (oscar_admin.Transaction, TransactionAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
