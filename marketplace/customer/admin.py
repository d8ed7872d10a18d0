from django.contrib import admin
from oscar.apps.customer import admin as oscar_admin
from oscar.apps.customer.admin import *  # noqa: F403


class ProductAlertAdmin(oscar_admin.ProductAlertAdmin):
    # An alert is confirmed, cancelled and closed by Oscar's alert views and emails.
    readonly_fields = ("status", "date_confirmed", "date_cancelled", "date_closed")


admin.site.unregister(oscar_admin.ProductAlert)
admin.site.register(oscar_admin.ProductAlert, ProductAlertAdmin)
