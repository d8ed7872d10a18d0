from .facts import EvaluationYear, Grade, PurchaseFact
from .followups import SlackFollowUp
from .offplatform import OffPlatformEvidence, OffPlatformSale, OffPlatformSaleLine
from .pairings import Agreement, DesignatedBuyer, Pairing
from .scoring import Indicator, Scorecard, ScorecardItem

__all__ = [
    "Agreement",
    "DesignatedBuyer",
    "EvaluationYear",
    "Grade",
    "Indicator",
    "OffPlatformEvidence",
    "OffPlatformSale",
    "OffPlatformSaleLine",
    "Pairing",
    "PurchaseFact",
    "Scorecard",
    "ScorecardItem",
    "SlackFollowUp",
]
