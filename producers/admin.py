from django.contrib import admin

from .models import Cooperative, CountyOfficer, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "side",
        "is_poor_county",
        "is_deep_poverty",
        "is_supervision_target",
        "exit_year",
    )
    list_filter = ("level", "side", "is_deep_poverty", "is_supervision_target")
    search_fields = ("code", "name", "name_en")
    raw_id_fields = ("parent",)


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "credit_code", "kind", "county", "state")
    list_filter = ("kind", "state")
    search_fields = ("legal_name", "credit_code")
    raw_id_fields = ("village",)


@admin.register(CountyOfficer)
class CountyOfficerAdmin(admin.ModelAdmin):
    list_display = ("user", "county")
    raw_id_fields = ("user", "county")
