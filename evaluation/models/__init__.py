from .facts import EvaluationYear, Grade, PurchaseFact
from .pairings import Agreement, DesignatedBuyer, Pairing
from .scoring import Indicator, Scorecard, ScorecardItem

__all__ = [
    "Agreement",
    "DesignatedBuyer",
    "EvaluationYear",
    "Grade",
    "Indicator",
    "Pairing",
    "PurchaseFact",
    "Scorecard",
    "ScorecardItem",
]
