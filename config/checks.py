"""`manage.py check --deploy` names every secret or account still missing or still the
published demo value (config/settings/deployment.py), whatever settings module runs: the
production settings refuse to start on them already, any other module is reported here."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from .settings.deployment import deployment_problems, deployment_values


@register(Tags.security, deploy=True)
def deployment_secrets_check(app_configs=None, **kwargs) -> list[Error]:
    return [
        Error(message, id="dongxi.E001", obj=name)
        for name, message in deployment_problems(deployment_values(settings))
    ]
