"""Form widgets shared by every app."""

from django import forms


class IsoDateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (YYYY-MM-DD) whatever the language: the
    Chinese locale's first input format is 2026/01/01, which a type="date" input discards,
    leaving an empty mm/dd/yyyy box that then fails as a missing date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
