from django.contrib import admin
from oscar.apps.basket import admin as oscar_admin
from oscar.core.loading import get_model

Basket = get_model("basket", "Basket")


class BasketAdmin(oscar_admin.BasketAdmin):
    # A basket's status follows the checkout (open, frozen on the pay page, submitted with
    # its order): the admin shows it and never changes it.
    readonly_fields = (*oscar_admin.BasketAdmin.readonly_fields, "status")


admin.site.unregister(Basket)
admin.site.register(Basket, BasketAdmin)
