from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative division, from province down to village."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        CITY = 2, _("地市级")
        COUNTY = 3, _("县级")
        TOWNSHIP = 4, _("乡镇")
        VILLAGE = 5, _("村")

    class Side(models.TextChoices):
        EAST = "east", _("东部")
        WEST = "west", _("西部")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    side = models.CharField(_("东西部"), max_length=4, choices=Side.choices)
    is_poor_county = models.BooleanField(_("贫困县"), default=False)
    is_deep_poverty = models.BooleanField(_("深度贫困地区"), default=False)
    is_supervision_target = models.BooleanField(_("挂牌督战"), default=False)
    exit_year = models.PositiveSmallIntegerField(_("脱贫摘帽年份"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True)
                | models.Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def clean(self):
        if self.parent_id and self.level is not None and self.parent.level != self.level - 1:
            raise ValidationError({"parent": _("上级区划必须是紧邻的上一级。")})
        if self.parent_id and self.parent.side != self.side:
            raise ValidationError({"side": _("东西部属性必须与上级区划一致。")})
        poverty_flags = self.is_poor_county or self.is_deep_poverty or self.is_supervision_target
        if poverty_flags and self.side != self.Side.WEST:
            raise ValidationError(_("只有西部地区可以标注贫困、深度贫困或挂牌督战。"))
        if self.is_poor_county and self.level != self.Level.COUNTY:
            raise ValidationError({"is_poor_county": _("贫困县标注只适用于县级区划。")})
