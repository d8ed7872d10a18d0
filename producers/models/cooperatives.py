import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..storage import private_storage
from ..validators import validate_credit_code, validate_mobile_number
from .regions import Region


class Cooperative(models.Model):
    """A producer in a poor area: farmers' cooperative, leading enterprise, family farm…"""

    class Kind(models.TextChoices):
        FARMERS_COOPERATIVE = "farmers_cooperative", _("农民专业合作社")
        LEADING_ENTERPRISE = "leading_enterprise", _("龙头企业")
        FAMILY_FARM = "family_farm", _("家庭农场")
        VILLAGE_COLLECTIVE = "village_collective", _("村集体经济组织")

    class State(models.TextChoices):
        DRAFT = "draft", _("未申请")
        APPLIED = "applied", _("待审核")
        CHANGES_REQUESTED = "changes_requested", _("需补充材料")
        CERTIFIED = "certified", _("已认定")
        REJECTED = "rejected", _("未通过")
        SUSPENDED = "suspended", _("已暂停")

    legal_name = models.CharField(_("名称"), max_length=128)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    village = models.ForeignKey(
        Region,
        verbose_name=_("所在村"),
        related_name="cooperatives",
        on_delete=models.PROTECT,
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    # The county office of this county certifies the cooperative; kept for cheap lookups.
    county = models.ForeignKey(
        Region,
        verbose_name=_("所在县"),
        related_name="county_cooperatives",
        on_delete=models.PROTECT,
        editable=False,
    )
    contact_name = models.CharField(_("联系人"), max_length=32)
    contact_phone = models.CharField(
        _("联系电话"), max_length=11, validators=[validate_mobile_number]
    )
    description = models.TextField(_("简介"), blank=True)
    state = models.CharField(
        _("认定状态"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合作社")
        verbose_name_plural = _("合作社")
        ordering = ("legal_name",)
        permissions = [("review_cooperative", _("审核合作社认定申请"))]

    def __str__(self) -> str:
        return self.legal_name

    def clean(self):
        if self.village_id:
            county = self.village.parent.parent if self.village.parent else None
            if self.village.level != Region.Level.VILLAGE or county is None:
                raise ValidationError({"village": _("请选择一个村级区划。")})
            if county.side != Region.Side.WEST:
                raise ValidationError({"village": _("合作社必须位于西部帮扶地区。")})

    def save(self, *args, **kwargs):
        if self.village_id:
            self.county_id = self.village.parent.parent_id
        super().save(*args, **kwargs)

    @property
    def is_certified(self) -> bool:
        return self.state == self.State.CERTIFIED


def _document_path(instance: "CooperativeDocument", filename: str) -> str:
    # Never trust the uploaded name: keep only a safe extension.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"cooperatives/{instance.cooperative_id}/{uuid.uuid4().hex}.{extension}"


class CooperativeDocument(models.Model):
    """Evidence a cooperative submits with its supplier certification application."""

    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("营业执照")
        MEMBER_ROSTER = "member_roster", _("社员及带贫名册")
        BENEFIT_SCHEME = "benefit_scheme", _("利益联结方案")
        OTHER = "other", _("其他材料")

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="documents", verbose_name=_("合作社")
    )
    kind = models.CharField(_("材料类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("说明"), max_length=128, blank=True)
    file = models.FileField(_("文件"), upload_to=_document_path, storage=private_storage)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("认定材料")
        verbose_name_plural = _("认定材料")
        ordering = ("cooperative", "uploaded_at")

    def __str__(self) -> str:
        return f"{self.cooperative} · {self.get_kind_display()}"


class CooperativeDecision(models.Model):
    """One step of a cooperative's supplier certification: who did what, when and why."""

    class Action(models.TextChoices):
        APPLY = "apply", _("提交认定申请")
        APPROVE = "approve", _("通过认定")
        REJECT = "reject", _("驳回")
        REQUEST_CHANGES = "request_changes", _("要求补充材料")
        SUSPEND = "suspend", _("暂停认定")
        REINSTATE = "reinstate", _("恢复认定")

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("合作社")
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=20, choices=Cooperative.State.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=Cooperative.State.choices)
    reason = models.TextField(_("理由"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("认定记录")
        verbose_name_plural = _("认定记录")
        ordering = ("cooperative", "created_at", "pk")

    def __str__(self) -> str:
        return f"{self.cooperative} · {self.get_action_display()}"
