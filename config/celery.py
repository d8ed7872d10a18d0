import os

from celery import Celery
from celery.signals import after_task_publish, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("dongxi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_task_publish.connect(weak=False)
def _beat_seen(sender=None, **kwargs):
    """Only beat publishes the heartbeat task: its publication is beat alive (config/ops)."""
    if sender == "config.tasks.heartbeat_task":
        from config.ops.heartbeat import heartbeat_record

        heartbeat_record(part="beat")


def _connect_task_log() -> None:
    from config.ops.logs import on_task_postrun, on_task_prerun

    task_prerun.connect(on_task_prerun, weak=False)
    task_postrun.connect(on_task_postrun, weak=False)


_connect_task_log()
