from django.contrib import admin
from oscar.apps.partner import admin as oscar_admin
from oscar.apps.partner.admin import *  # noqa: F403


class StockRecordAdmin(oscar_admin.StockRecordAdmin):
    # Checkouts hold and release stock with one conditional UPDATE each; a hand-edited
    # allocation would sell what is not there or strand what is.
    readonly_fields = ("num_allocated",)


admin.site.unregister(oscar_admin.StockRecord)
admin.site.register(oscar_admin.StockRecord, StockRecordAdmin)
