from .audit import AuditEntry
from .benefits import BenefitKind, BenefitLink, BenefitScheme, WageRecord
from .cooperatives import Cooperative, CooperativeDecision, CooperativeDocument
from .households import CountyOfficer, Household, HouseholdQuerySet
from .pairings import Pairing
from .regions import Region

__all__ = [
    "AuditEntry",
    "BenefitKind",
    "BenefitLink",
    "BenefitScheme",
    "Cooperative",
    "CooperativeDecision",
    "CooperativeDocument",
    "CountyOfficer",
    "Household",
    "HouseholdQuerySet",
    "Pairing",
    "Region",
    "WageRecord",
]
