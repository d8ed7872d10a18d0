from .facts import EvaluationYear, Grade, PurchaseFact
from .pairings import Agreement, Pairing
from .scoring import Indicator, Scorecard, ScorecardItem

__all__ = [
    "Agreement",
    "EvaluationYear",
    "Grade",
    "Indicator",
    "Pairing",
    "PurchaseFact",
    "Scorecard",
    "ScorecardItem",
]
