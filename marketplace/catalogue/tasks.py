from celery import shared_task

from .services import certificates_expire


@shared_task(acks_late=True)
def certificates_expire_task() -> int:
    # Idempotent: a certificate already expired is not selected again.
    return certificates_expire()
