from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class YearLocked(ValidationError):
    """A locked evaluation year never changes."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(_("%(year)s年度已锁定，不能再修改。") % {"year": year}, code="year_locked")
