from celery import shared_task

from config.ops.heartbeat import heartbeat_record


@shared_task(ignore_result=True, expires=120)
def heartbeat_task() -> None:
    """Sent by beat every minute; a worker running it is a worker alive (config/ops/health.py)."""
    heartbeat_record(part="worker")


@shared_task
def partitions_ahead_task() -> dict[str, list]:
    """Daily: the current and next year's partitions of the tables partitioned by year
    (core/partitions.py), created where missing (a second run creates nothing); then their
    statistics, which autovacuum never gathers for a partitioned table as a whole."""
    from core.partitions import partitions_ahead, partitions_analyze

    created = partitions_ahead()
    partitions_analyze()
    return created
