from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who viewed personal data or changed a record, and when. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("操作人"),
        # None: the platform itself, in a scheduled task (the retention run).
        null=True,
        blank=True,
    )
    action = models.CharField(_("操作"), max_length=64)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型")
    )
    target_id = models.CharField(_("对象编号"), max_length=64)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
