from django.contrib import admin

from .models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "home_region", "reserved_share")
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")
    raw_id_fields = ("home_region",)
    inlines = [MembershipInline]
