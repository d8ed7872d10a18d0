from django.contrib import admin

from .models import Pairing


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "start_year", "end_year")
    list_filter = ("kind",)
    raw_id_fields = ("east_region", "west_region")
