"""Entries the areas above the store add to the organisation workspace's menu. The store
owns the workspace; an area above it (evaluation's off-platform sales) adds its entry from
its AppConfig.ready(), with the rule of who sees it, so that the store's templates name
no upper layer's URLs and repeat no upper layer's permission."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str  # a lazy translation
    order: int
    shown: Callable[..., bool]  # called with user= and organisation=


_entries: list[MenuEntry] = []


def menu_entry_add(*, url_name: str, label: str, order: int, shown: Callable[..., bool]) -> None:
    if all(entry.url_name != url_name for entry in _entries):  # ready() may run twice
        _entries.append(MenuEntry(url_name=url_name, label=label, order=order, shown=shown))
        _entries.sort(key=lambda entry: entry.order)


def menu_entries(*, user, organisation) -> list[tuple[str, str]]:
    """(url, label) of the added entries this user sees on this organisation's pages."""
    return [
        (reverse(entry.url_name), entry.label)
        for entry in _entries
        if entry.shown(user=user, organisation=organisation)
    ]
