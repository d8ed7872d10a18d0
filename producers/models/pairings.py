from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .regions import Region


class Pairing(models.Model):
    """An assistance relationship: an eastern region (east–west cooperation) or a central
    organisation (designated assistance) paired with a western region."""

    class Kind(models.TextChoices):
        EAST_WEST = "east_west", _("东西部协作")
        DESIGNATED = "designated", _("定点帮扶")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    east_region = models.ForeignKey(
        Region,
        verbose_name=_("东部帮扶地区"),
        related_name="pairings_as_east",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    assisting_unit = models.CharField(
        _("定点帮扶单位"), max_length=128, blank=True, help_text=_("定点帮扶时填写中央单位名称")
    )
    west_region = models.ForeignKey(
        Region,
        verbose_name=_("西部受帮扶地区"),
        related_name="pairings_as_west",
        on_delete=models.PROTECT,
    )
    start_year = models.PositiveSmallIntegerField(_("起始年份"))
    end_year = models.PositiveSmallIntegerField(_("终止年份"), null=True, blank=True)

    class Meta:
        # The table keeps the name it had when evaluation owned the model.
        db_table = "evaluation_pairing"
        verbose_name = _("结对关系")
        verbose_name_plural = _("结对关系")
        ordering = ("kind", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["east_region", "west_region"],
                condition=models.Q(kind="east_west"),
                name="unique_east_west_pairing",
            ),
            models.UniqueConstraint(
                fields=["assisting_unit", "west_region"],
                condition=models.Q(kind="designated"),
                name="unique_designated_pairing",
            ),
        ]

    def __str__(self) -> str:
        helper = self.east_region.display_name if self.east_region_id else self.assisting_unit
        return f"{helper} → {self.west_region.display_name}"

    def is_active_in(self, year: int) -> bool:
        return self.start_year <= year and (self.end_year is None or year <= self.end_year)

    def clean(self):
        errors = {}
        if self.kind == self.Kind.EAST_WEST:
            if not self.east_region_id:
                errors["east_region"] = _("东西部协作必须指定东部地区。")
            elif self.east_region.side != Region.Side.EAST:
                errors["east_region"] = _("帮扶方必须是东部地区。")
        if self.kind == self.Kind.DESIGNATED and not self.assisting_unit:
            errors["assisting_unit"] = _("定点帮扶必须填写帮扶单位。")
        if self.west_region_id and self.west_region.side != Region.Side.WEST:
            errors["west_region"] = _("受帮扶方必须是西部地区。")
        if (
            self.end_year is not None
            and self.start_year is not None
            and self.end_year < self.start_year
        ):
            errors["end_year"] = _("终止年份不能早于起始年份。")
        if errors:
            raise ValidationError(errors)
