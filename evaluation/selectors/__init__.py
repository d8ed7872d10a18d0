from .monitoring import anomalies, large_orders_near_year_end, slack_flags, supervision_targets
from .public import public_summary
from .scorecards import (
    evaluation_years,
    fact_get,
    monthly_volume,
    scorecard_get,
    scorecard_item_facts,
    scorecard_item_get,
    scorecards_for_year,
    year_config,
)

__all__ = [
    "anomalies",
    "evaluation_years",
    "fact_get",
    "large_orders_near_year_end",
    "monthly_volume",
    "public_summary",
    "scorecard_get",
    "scorecard_item_facts",
    "scorecard_item_get",
    "scorecards_for_year",
    "slack_flags",
    "supervision_targets",
    "year_config",
]
