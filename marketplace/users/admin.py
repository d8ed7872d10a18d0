from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import PrivacyConsent, User


class UserCreationForm(BaseUserCreationForm):
    # Django's form asks for a username; ours signs in with email.
    class Meta:
        model = User
        fields = ("email", "mobile")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "mobile", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "mobile", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "mobile", "password")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "nickname")}),
        (
            _("权限"),
            {"fields": ("is_active", "registration_pending", "is_staff", "is_superuser", "groups")},
        ),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    # Set by sign-up and cleared when the e-mailed link is followed (customer.services).
    readonly_fields = ("registration_pending",)
    add_form = UserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "mobile", "password1", "password2")}),
    )


@admin.register(PrivacyConsent)
class PrivacyConsentAdmin(admin.ModelAdmin):
    """Who agreed to which version of the privacy policy, and when: a record, never edited."""

    list_display = ("user", "version", "language", "agreed_at")
    list_filter = ("version", "language")
    search_fields = ("user__email", "user__mobile")
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
