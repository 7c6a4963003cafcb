from commissions.models.incentives import IncentivePayment, IncentiveProgramme, IncentiveTier
from commissions.models.ledger import Account, LedgerEntry, LedgerTransaction, SettlementRun
from commissions.models.money import Commission, PlatformSettings
from commissions.models.orders import Order, OrderEvent, OrderImport, OrderLine
from commissions.models.tracking import AffiliateLink, Click

__all__ = [
    "Account", "AffiliateLink", "Click", "Commission", "IncentivePayment", "IncentiveProgramme",
    "IncentiveTier", "LedgerEntry", "LedgerTransaction", "Order", "OrderEvent", "OrderImport",
    "OrderLine", "PlatformSettings", "SettlementRun",
]  # fmt: skip
