from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "marketplace.users"
    label = "users"
    verbose_name = _("用户与角色")

    def ready(self):
        from . import receivers

        # After every migrate, once for the whole project, bring the role groups up to date.
        post_migrate.connect(receivers.sync_roles_after_migrate, sender=self)
