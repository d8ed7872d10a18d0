from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project's own wiring; installed so that its deployment checks are registered."""

    name = "config"
    label = "dongxi_config"
    verbose_name = "Dongxi"

    def ready(self):
        from . import checks  # noqa: F401  registers the deploy checks
