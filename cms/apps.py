from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("内容")

    def ready(self):
        # After the users app has synced the role groups (it comes first in INSTALLED_APPS),
        # point the moderation workflow at the moderator group.
        post_migrate.connect(_workflow_sync_after_migrate, sender=self)

        from marketplace.customer.account_deletion import user_account_deleted

        from .receivers import participation_withdraw_on_account_delete

        user_account_deleted.connect(
            participation_withdraw_on_account_delete, dispatch_uid="cms.account_deleted"
        )


def _workflow_sync_after_migrate(sender, **kwargs):
    from .workflows import moderation_workflow_sync

    moderation_workflow_sync()
