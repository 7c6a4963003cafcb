"""Payouts to buyers and service providers, and merchants' payments, as ledger transactions.

- A payout (kind ``payout``) pays an organisation what it is owed: its earnings account
  (buyer earnings or provider fees, then incentives) goes down by the amount and the
  platform's payouts account up.
- A merchant payment (kind ``collection``) records what a merchant paid of what it owes:
  its merchant payable account goes up by the amount and the platform's payouts account down.

The reference of each is ``<kind>:<organisation id>:<key>``, where the key is an idempotency
key the caller sends (the operator's form sends one per rendering): the same key pays once.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from commissions import ledger
from commissions.locks import lock_accounts
from commissions.models import Account, LedgerEntry, LedgerTransaction
from core.errors import DomainError, ensure
from core.money import money

AccountKind = Account.Kind
PAYOUT = LedgerTransaction.Kind.PAYOUT
COLLECTION = LedgerTransaction.Kind.COLLECTION
ZERO = Decimal("0.00")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

# The accounts a payout draws from, in order: earnings first, then incentives.
PAYABLE_ACCOUNTS = {
    Role.BUYER: (AccountKind.BUYER_EARNINGS, AccountKind.INCENTIVES),
    Role.PROVIDER: (AccountKind.PROVIDER_FEES, AccountKind.INCENTIVES),
}
PAYABLE_MERCHANT = AccountKind.MERCHANT_PAYABLE
KIND_FOR_ROLE = {Role.BUYER: PAYOUT, Role.PROVIDER: PAYOUT, Role.MERCHANT: COLLECTION}


@dataclass(frozen=True)
class Recorded:
    transaction: LedgerTransaction
    created: bool


def payment_reference(*, kind: str, organisation_id: int, key: str) -> str:
    return f"{kind}:{organisation_id}:{key}"


def check_request(*, kind: str, amount: Decimal, key: str) -> None:
    ensure(
        kind in (PAYOUT, COLLECTION),
        DomainError(_("Choose payout or collection."), field="kind"),
    )
    ensure(amount > 0, DomainError(_("The amount must be more than 0.00."), field="amount"))
    ensure(
        amount == amount.quantize(Decimal("0.01")),
        DomainError(_("Give the amount to the fen (two decimals)."), field="amount"),
    )
    ensure(
        bool(KEY_PATTERN.match(key or "")),
        DomainError(
            _("The reference is 1 to 64 letters, digits, '-', '_', '.' or ':'."),
            field="reference",
        ),
    )


def payable_accounts(organisation: Organisation, kinds: tuple[str, ...]) -> list[Account]:
    """The organisation's accounts of these kinds (opened if missing), locked, in ``kinds``
    order."""
    for kind in kinds:
        ledger.account_for(organisation, kind)
    locked = lock_accounts(organisation=organisation, kinds=kinds)
    by_kind = {account.kind: account for account in locked}
    return [by_kind[kind] for kind in kinds]


def account_balances(accounts: list[Account]) -> dict[int, Decimal]:
    rows = (
        LedgerEntry.objects.filter(account__in=accounts)
        .order_by()
        .values("account_id")
        .annotate(balance=Sum("amount"))
    )
    found = {row["account_id"]: money(row["balance"]) for row in rows}
    return {account.pk: found.get(account.pk, ZERO) for account in accounts}


def amount_of(posted: LedgerTransaction) -> Decimal:
    """What a payout or payment moved: the size of its platform entry."""
    total = posted.entries.filter(account__organisation__isnull=True).aggregate(t=Sum("amount"))
    return money(abs(total["t"] or ZERO))


def payout_entries(
    organisation: Organisation, accounts: list[Account], amount: Decimal
) -> list[tuple[Account, Decimal]]:
    balances = account_balances(accounts)
    owed = sum(balances.values(), ZERO)
    ensure(
        amount <= owed,
        DomainError(
            _("The amount is more than the %(owed)s owed to %(name)s.")
            % {"owed": max(owed, ZERO), "name": organisation.name},
            field="amount",
        ),
    )
    entries, remaining = [], amount
    for account in accounts:
        taken = min(remaining, max(balances[account.pk], ZERO))
        entries.append((account, -taken))
        remaining -= taken
    return [*entries, (ledger.account_for(None, AccountKind.PAYOUTS), amount)]


def collection_entries(
    organisation: Organisation, accounts: list[Account], amount: Decimal
) -> list[tuple[Account, Decimal]]:
    [payable] = accounts
    owes = -account_balances(accounts)[payable.pk]
    ensure(
        amount <= owes,
        DomainError(
            _("The amount is more than the %(owed)s %(name)s owes.")
            % {"owed": max(owes, ZERO), "name": organisation.name},
            field="amount",
        ),
    )
    return [(payable, amount), (ledger.account_for(None, AccountKind.PAYOUTS), -amount)]


def paying_organisation(*, organisation_id: int, kind: str) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    ensure(organisation is not None, DomainError(_("No such organisation."), field="organisation"))
    ensure(
        KIND_FOR_ROLE.get(organisation.role) == kind,
        DomainError(
            _("Buyers and service providers are paid out; merchants pay (collection)."),
            field="kind",
        ),
    )
    return organisation


def record_payment(
    *,
    organisation_id: int,
    kind: str,
    amount: Decimal,
    key: str,
    by: User,
    memo: str = "",
) -> Recorded:
    """An operator pays a buyer or provider (``payout``) or records a merchant's payment
    (``collection``).

    Rules: the amount is positive, to the fen, and at most what is owed (a payout: the
    balance of the organisation's earnings and incentives accounts; a payment: what the
    merchant owes); payouts go to buyers and providers, payments come from merchants. The
    organisation's accounts are locked, so two operators at once cannot pay more than is
    owed. The same key again returns the first payment and pays nothing more; the same key
    with another amount is refused.
    """
    check_request(kind=kind, amount=amount, key=key)
    with transaction.atomic():
        organisation = paying_organisation(organisation_id=organisation_id, kind=kind)
        kinds = PAYABLE_ACCOUNTS[organisation.role] if kind == PAYOUT else (PAYABLE_MERCHANT,)
        accounts = payable_accounts(organisation, kinds)
        # Checked under the accounts' lock: a double submit waits here, then finds the first.
        reference = payment_reference(kind=kind, organisation_id=organisation.pk, key=key)
        existing = LedgerTransaction.objects.filter(reference=reference).first()
        if existing is not None:
            ensure(
                amount_of(existing) == amount,
                DomainError(
                    _("This reference was already used for another amount."), field="reference"
                ),
            )
            return Recorded(transaction=existing, created=False)
        build = payout_entries if kind == PAYOUT else collection_entries
        entries = build(organisation, accounts, amount)
        default_memo = _("Payout to %s") if kind == PAYOUT else _("Payment from %s")
        posted = ledger.post(
            kind=kind, reference=reference, entries=entries,
            memo=memo or default_memo % organisation.name, by=by,
        )  # fmt: skip
    return Recorded(transaction=posted, created=True)
