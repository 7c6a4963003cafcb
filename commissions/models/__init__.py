from commissions.models.orders import Order, OrderEvent, OrderImport, OrderLine
from commissions.models.tracking import AffiliateLink, Click

__all__ = ["AffiliateLink", "Click", "Order", "OrderEvent", "OrderImport", "OrderLine"]
