"""The chart of accounts: the names of the book accounts postings move cash and shares between.

Balances use the holdings convention: a positive balance is what the book account holds, so a
customer's cash balance reads as the customer's cash and a short position reads negative. Every
entry's postings sum to zero per asset, which is the same statement as debits equal credits.
"""

from __future__ import annotations

EXTERNAL_BANK = "external:bank"
"""Where deposits come from and withdrawals go: the outside world, negative by what it sent in."""

STREET_UNSETTLED = "street:unsettled"
"""The clearing counterparty's side of trades not yet settled (cash owed and shares due)."""

STREET_SETTLED = "street:settled"
"""Cash paid to and shares received from the clearing counterparty at settlement."""

FIRM_COMMISSIONS = "firm:commissions"
"""Commission income."""

SEC_FEES_PAYABLE = "firm:sec_fees_payable"
"""Section 31 fees collected from sellers, owed to the exchanges and FINRA (and on to the SEC)."""

TAF_PAYABLE = "firm:taf_payable"
"""FINRA Trading Activity Fees collected from sellers, owed to FINRA."""

FIRM_ADJUSTMENTS = "firm:adjustments"
"""The firm's side of cash corrections."""


def customer_cash(account: str) -> str:
    """Settled, withdrawable-in-principle cash (negative is a margin debit balance)."""
    return f"customer:{account}:cash"


def customer_unsettled(account: str) -> str:
    """The net money of the account's trades that have not settled yet."""
    return f"customer:{account}:unsettled"


def customer_held(account: str) -> str:
    """Deposited cash under a hold: it counts towards equity but cannot be withdrawn yet."""
    return f"customer:{account}:held"


def customer_securities(account: str) -> str:
    """The account's positions; the asset of each posting is the symbol."""
    return f"customer:{account}:securities"


def customer_of(book_account: str) -> tuple[str, str] | None:
    """``(account, kind)`` for a customer book account, else None."""
    if not book_account.startswith("customer:"):
        return None
    account, _, kind = book_account[len("customer:") :].rpartition(":")
    return account, kind
