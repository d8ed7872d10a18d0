"""Template filters of the producer workspaces."""

from decimal import Decimal

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from core import money
from producers.workspace import menu_entries

register = template.Library()


@register.filter
def yuan(amount) -> str:
    """{{ amount|yuan }} -> ¥1,234.50 (empty for None)."""
    if amount is None or amount == "":
        return ""
    return money.format_yuan(amount)


@register.filter
def percent(fraction) -> str:
    """{{ Decimal("0.125")|percent }} -> 12.5%."""
    if fraction is None or fraction == "":
        return ""
    value = (Decimal(fraction) * 100).quantize(Decimal("0.01"))
    text = f"{value:f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def field_labels(names, model_label: str) -> str:
    """{{ entry.detail.fields|field_labels:"producers.Household" }} -> '家庭人口、状态'."""
    model = apps.get_model(model_label)
    labels = []
    for name in names or ():
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(str(name))
    return "、".join(labels)


@register.simple_tag
def workspace_menu(workspace: str) -> list[tuple[str, str]]:
    """{% workspace_menu "county" as entries %}: the entries other areas add to the menu."""
    return menu_entries(workspace=workspace)
