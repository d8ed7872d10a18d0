from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..models import AuditEntry


def audit_record(*, actor, action: str, target: models.Model, **detail) -> AuditEntry:
    """Append who did what to which record. Never updated, never deleted."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        detail=detail,
    )
