from celery import shared_task

from config.ops.heartbeat import heartbeat_record


@shared_task(ignore_result=True, expires=120)
def heartbeat_task() -> None:
    """Sent by beat every minute; a worker running it is a worker alive (config/ops/health.py)."""
    heartbeat_record(part="worker")
