from django.apps import apps
from django.contrib.auth.management import create_permissions

from .services import roles_sync


def sync_roles_after_migrate(sender, using="default", verbosity=1, **kwargs):
    # Django creates permissions app by app as migrate finishes; make sure all exist
    # before the role groups are synced against them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    roles_sync()
