"""Admin classes for records that only services write (no domain rules here)."""

from django.contrib import admin


class ReadOnlyMixin:
    """Shown, never added, changed or deleted by hand: a service writes these rows and
    keeps what depends on them (audit records, ledger, facts, caches) in step."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass
