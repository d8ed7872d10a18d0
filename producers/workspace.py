"""The menus of the county and cooperative workspaces. Producers owns the workspaces; the
areas above it (the store's product certification, the income ledger) add their entries
from their AppConfig.ready(), so that producers' templates name no upper layer's URLs."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

COUNTY, COOPERATIVE = "county", "cooperative"


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str  # a lazy translation
    order: int  # entries of all areas are shown by this, after producers' own


_entries: dict[str, list[MenuEntry]] = {COUNTY: [], COOPERATIVE: []}


def menu_entry_add(*, workspace: str, url_name: str, label: str, order: int) -> None:
    entries = _entries[workspace]
    if all(entry.url_name != url_name for entry in entries):  # ready() may run twice
        entries.append(MenuEntry(url_name=url_name, label=label, order=order))
        entries.sort(key=lambda entry: entry.order)


def menu_entries(*, workspace: str) -> list[tuple[str, str]]:
    """(url, label) of what the other areas added to this workspace's menu, in order."""
    return [(reverse(entry.url_name), entry.label) for entry in _entries[workspace]]


@dataclass(frozen=True)
class Panel:
    template_name: str
    context: Callable[..., dict]  # called with the workspace's scope, e.g. cooperative=...
    order: int


_panels: dict[str, list[Panel]] = {COUNTY: [], COOPERATIVE: []}


def panel_add(*, workspace: str, template_name: str, context: Callable, order: int) -> None:
    """A block of the workspace's home page, drawn by an area above producers."""
    panels = _panels[workspace]
    if all(panel.template_name != template_name for panel in panels):
        panels.append(Panel(template_name=template_name, context=context, order=order))
        panels.sort(key=lambda panel: panel.order)


def panels_of(*, workspace: str, **scope) -> list[tuple[str, dict]]:
    """(template name, its context) of each panel of the workspace's home page, in order."""
    return [(panel.template_name, panel.context(**scope)) for panel in _panels[workspace]]
