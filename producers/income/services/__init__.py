from .allocation import events_process, fee_rate_current
from .engine import line_split, reverse_share

__all__ = ["events_process", "fee_rate_current", "line_split", "reverse_share"]
