"""Stable reject codes, grouped by the stage that refuses the input.

Numbers are part of the public interface (API, FIX text, CLI, journals): add codes, never reuse or
renumber one. 1xxx validation, 2xxx risk, 3xxx matching and venues, 4xxx routing, 5xxx ledger and
accounts, 6xxx runtime and sessions.
"""

from __future__ import annotations

from enum import Enum


class Stage(str, Enum):
    """Where in the pipeline an input was refused."""

    VALIDATION = "validation"
    RISK = "risk"
    MATCHING = "matching"
    ROUTING = "routing"
    LEDGER = "ledger"
    RUNTIME = "runtime"


_STAGE_BY_THOUSAND = {
    1: Stage.VALIDATION,
    2: Stage.RISK,
    3: Stage.MATCHING,
    4: Stage.ROUTING,
    5: Stage.LEDGER,
    6: Stage.RUNTIME,
}


class RejectCode(Enum):
    """A reason an input was refused: a stable number and a message a person can act on."""

    # 1xxx validation: the input itself is wrong.
    MALFORMED = (1000, "The request is malformed")
    UNKNOWN_SYMBOL = (1001, "Unknown symbol")
    QUANTITY_NOT_POSITIVE = (1002, "Quantity must be greater than zero")
    QUANTITY_NOT_INTEGRAL = (1003, "Quantity must be a whole number of shares")
    QUANTITY_TOO_LARGE = (1004, "Quantity is larger than the maximum allowed")
    PRICE_OFF_TICK = (1005, "Price is not a multiple of the minimum price increment")
    PRICE_OUT_OF_RANGE = (1006, "Price is zero, negative or too large")
    PRICE_REQUIRED = (1007, "This order type needs a limit price")
    PRICE_NOT_ALLOWED = (1008, "This order type must not carry a limit price")
    PRICE_NOT_A_NUMBER = (1009, "Price is not a number")
    DUPLICATE_ORDER_ID = (1010, "An order with this id already exists")
    UNKNOWN_ORDER = (1011, "No working order with this id")
    INVALID_DISPLAY_QUANTITY = (1012, "Display quantity must be positive and below the order size")
    UNSUPPORTED_ORDER_TYPE = (1013, "This order type is not supported here")
    INVALID_TIME_IN_FORCE = (1014, "This time in force is not allowed for this order type")
    INVALID_ATTRIBUTES = (1015, "These order attributes cannot be combined")
    INVALID_REPLACE = (1016, "A replace may change only price and quantity")
    INVALID_ID = (1017, "Identifiers must be non-empty text of a limited length")
    TIME_OUT_OF_RANGE = (1018, "Times must fall between 1970-01-01 and 2262-01-01 (UTC)")
    INVALID_CLIENT_TEXT = (
        1019,
        "Client ids and names must be 1-128 characters without control or bidi characters",
    )
    WHOLE_SHARES_ONLY = (1020, "Fractional and notional orders are not offered: whole shares only")
    BODY_TOO_LARGE = (1021, "The request body is too large")
    NAME_TAKEN = (1022, "The account already has a watchlist with this name")
    INVALID_CONFIGURATION = (1030, "An account configuration value is not one that is allowed")
    BLOCK_ORDERS_UNSUPPORTED = (
        1031,
        "Pre-allocations need an account group the session may use as the order's account",
    )

    # 2xxx risk: the input is well formed but not allowed for this account or firm.
    KILL_SWITCH = (2001, "Trading is stopped by the kill switch")
    INSUFFICIENT_BUYING_POWER = (2002, "Insufficient buying power")
    RESTRICTED_SECURITY = (2003, "The security is on the restricted list")
    CREDIT_LIMIT = (2004, "The order would exceed the account's credit limit")
    MAX_ORDER_QUANTITY = (2005, "The order quantity is above the allowed maximum")
    MAX_ORDER_NOTIONAL = (2006, "The order value is above the allowed maximum")
    PRICE_COLLAR = (2007, "The price is too far from the market (possible erroneous order)")
    DUPLICATE_ORDER = (2008, "An identical order was placed moments ago")
    CLOSE_ONLY = (2009, "The account may only close positions")
    RATE_LIMITED = (2010, "Too many orders in a short time; retry shortly")
    LOCATE_REQUIRED = (2011, "A short sale needs an easy-to-borrow symbol or a locate")
    SHORT_SALE_PRICE_TEST = (2012, "Rule 201: short sales only above the national best bid")
    SHORT_NEEDS_MARGIN = (2013, "Short sales need a margin account with at least $2,000 equity")
    SHORT_WHILE_LONG = (2014, "Sell the long position before selling short")
    LONG_SALE_EXCEEDS_POSITION = (2015, "A sale marked long cannot exceed the shares held")
    SETTLED_CASH_ONLY = (2016, "The account may buy only with settled cash (90-day restriction)")
    INTRADAY_MARGIN_DEFICIT = (2017, "The order would create or increase a margin deficit")
    PATTERN_DAY_TRADER = (2018, "Pattern day trader rule: a fourth day trade needs $25,000")
    NO_MARKET_PRICE = (2019, "There is no market price to check this order against")
    MARKET_CLOSED = (2020, "The trading day has not started")
    CHANGE_PENDING = (2021, "A cancel or replace is already pending for this order")
    CONFLICTING_ORDERS = (2022, "Working buys and short sales in one symbol cannot be mixed")
    TRADING_SUSPENDED = (2030, "New orders are suspended by the account's configuration")
    SHORTING_DISABLED = (2031, "Short sales are turned off by the account's configuration")
    FOK_NO_SINGLE_VENUE = (2032, "No single venue can fill this fill-or-kill order in full now")

    # 3xxx matching and venues.
    SYMBOL_HALTED = (3001, "Trading in this symbol is halted")
    POST_ONLY_WOULD_TAKE = (3002, "Post-only order would remove liquidity")
    FOK_NOT_FILLABLE = (3003, "Fill-or-kill order cannot be filled in full")
    AUCTION_NOT_ACCEPTING = (3004, "The auction for this symbol is not accepting orders")
    SYMBOL_NOT_TRADED_HERE = (3005, "This venue does not trade the symbol")
    REPLACE_TOO_LATE = (3006, "The order is already filled or cancelled")
    SYMBOL_NOT_HALTED = (3007, "Trading in this symbol is not halted")

    # 4xxx routing: the order is fine but cannot go where it was sent.
    ROUTE_UNKNOWN_VENUE = (4001, "The route names no venue this broker connects to")
    ROUTE_NOT_ALLOWED = (4002, "This account may not use the route")
    ROUTE_VENUE_DOWN = (4003, "The venue is not answering; choose another route")
    ROUTE_VENUE_HALTED = (4004, "The symbol is halted at this venue")
    ROUTE_NO_VENUE = (4005, "No venue is available for this order")
    ROUTE_FOK_NEEDS_DIRECTED = (4006, "Fill-or-kill orders must be directed to one venue")
    ROUTE_UNKNOWN_CHILD = (4007, "The report is for no child order the router sent")
    ROUTE_PEG_UNSUPPORTED = (4008, "No venue on this route accepts this kind of pegged order")

    # 5xxx ledger, accounts and portfolio.
    UNKNOWN_ACCOUNT = (5001, "Unknown account")
    DUPLICATE_ACCOUNT = (5002, "An account with this number already exists")
    ACCOUNT_CLOSED = (5003, "The account is closed")
    INVALID_AMOUNT = (5004, "Amount must be a positive number of whole cents")
    INSUFFICIENT_FUNDS = (5005, "The amount is more than the withdrawable cash")
    DUPLICATE_TRANSFER = (5006, "A transfer with this id was already recorded")
    DUPLICATE_EXECUTION = (5007, "An execution with this id was already recorded")
    INSUFFICIENT_POSITION = (5008, "The sale is larger than the long position")
    SHORT_SALE_NOT_ALLOWED = (5009, "Short sales need a margin account that is not long the symbol")
    UNKNOWN_HOLD = (5010, "No open hold with this id")
    INVALID_DATE = (5011, "The date is not a business day the calendar knows")
    INVALID_STATUS_CHANGE = (5012, "This account status change is not allowed")
    ACCOUNT_NOT_FLAT = (5013, "The account still holds cash or positions")
    UNKNOWN_GROUP = (5014, "Unknown account group")
    DUPLICATE_GROUP = (5015, "An account group with this id already exists")
    ALLOCATION_NOT_100_PERCENT = (5016, "Allocation percentages must sum to exactly 100")
    INVALID_ALLOCATION = (5017, "Allocation weights or shares do not fit the block")
    DUPLICATE_ALLOCATION = (5018, "An allocation with this id was already made")
    INVALID_TARGET_WEIGHTS = (5019, "Target weights must be positive and sum to at most 100")
    UNKNOWN_BLOCK = (5020, "No block order with this id")
    BLOCK_ALREADY_ALLOCATED = (5021, "The block order is already allocated")
    GROUP_NOT_MANAGED = (5022, "The key does not manage this account group")
    INVALID_STEP_OUT = (5023, "A step-out needs a broker id and shares that fit the block")

    # 5100-5149 the firm's staff work: API keys, risk limits, lists, locates, house margin.
    UNKNOWN_API_KEY = (5100, "No API key with this id")
    DUPLICATE_API_KEY = (5101, "An API key with this id already exists")
    INVALID_API_KEY = (5102, "The key's roles, accounts and groups do not fit together")
    ACTOR_REQUIRED = (5103, "A staff command must name who gave it")
    INVALID_RISK_LIMITS = (5104, "Risk limits must be positive whole numbers")
    INVALID_KILL_SWITCH = (5105, "The kill switch needs a scope and, below firm level, a target")
    INVALID_SYMBOL_LIST_ENTRY = (5106, "The symbol is not a valid list entry")
    INVALID_LOCATE = (5107, "A locate needs an id, a symbol and a positive quantity")
    DUPLICATE_LOCATE = (5108, "A locate with this id was already recorded")
    INVALID_HOUSE_MARGIN = (5109, "House margin must be a whole percent between 0 and 100")

    # 52xx funding: bank relationships, transfers and journals (5200-5249).
    INVALID_ROUTING_NUMBER = (5200, "The bank routing number is not a valid ABA number")
    INVALID_BANK_ACCOUNT = (5201, "The bank account's owner, type or number is not valid")
    UNKNOWN_RELATIONSHIP = (5202, "No such bank relationship for this account")
    RELATIONSHIP_EXISTS = (5203, "The account already has an active bank relationship")
    RELATIONSHIP_NOT_APPROVED = (5204, "The bank relationship is not approved yet")
    UNKNOWN_TRANSFER = (5205, "No such transfer for this account")
    TRANSFER_NOT_CANCELABLE = (5206, "Only a queued transfer can be canceled")
    WITHDRAWAL_EXCEEDS_WITHDRAWABLE = (5207, "The withdrawal is more than the withdrawable cash")
    UNKNOWN_JOURNAL = (5208, "No such journal")
    JOURNAL_NOT_CANCELABLE = (5209, "Only a queued journal can be canceled")
    JOURNAL_OVERDRAWS_CASH = (5210, "The journal is more than the sender's withdrawable cash")
    JOURNAL_EXCEEDS_POSITION = (5211, "The journal is more than the sender's free shares")
    JOURNAL_SAME_ACCOUNT = (5212, "A journal needs two different accounts")
    INVALID_JOURNAL = (5213, "The journal's type, amount, symbol or quantity is not valid")
    UNEXPECTED_BANK_REPORT = (5214, "The bank's report does not fit the item's status")
    DUPLICATE_FUNDING_ID = (5215, "A relationship, transfer or journal with this id exists")
    INVALID_TRANSFER = (5216, "The transfer's direction, type or timing is not supported")
    JOURNAL_RECEIVER_SHORT = (5217, "The receiving account is short the symbol")
    # 5250-5299 model portfolios and rebalancing: portfolios, subscriptions and runs.
    INVALID_PORTFOLIO = (
        5250,
        "The portfolio's name, weights, cooldown or conditions are not valid",
    )
    UNKNOWN_PORTFOLIO = (5251, "No such model portfolio")
    DUPLICATE_REBALANCING_ID = (5252, "A portfolio, subscription or run with this id exists")
    PORTFOLIO_INACTIVE = (5253, "The portfolio is inactive")
    PORTFOLIO_IN_USE = (5254, "The portfolio still has active subscriptions")
    UNKNOWN_SUBSCRIPTION = (5255, "No such subscription")
    ALREADY_SUBSCRIBED = (5256, "The account already has an active subscription")
    UNKNOWN_RUN = (5257, "No such rebalancing run")
    RUN_NOT_CANCELABLE = (5258, "The run has finished and cannot be canceled")
    RUN_IN_PROGRESS = (5259, "The account already has a rebalancing run in progress")
    INVALID_RUN = (5260, "The run's type or weights are not valid")
    RUN_NOT_QUEUED = (5261, "Only a queued run can be executed")
    NOT_SUBSCRIBED = (5262, "A run without weights needs the account's subscription")
    # 5150-5199 account opening (onboarding): the application, eligibility and its status.
    KYC_FIELD_MISSING = (5150, "A required KYC field is missing")
    KYC_FIELD_INVALID = (5151, "A KYC field is not valid")
    COUNTRY_NOT_ACCEPTED = (5152, "The firm does not open accounts for this country")
    SANCTIONED_COUNTRY = (5153, "The country is under comprehensive US sanctions")
    STATE_NOT_ACCEPTED = (5154, "The firm does not open accounts in this state")
    UNDER_MINIMUM_AGE = (5155, "The applicant is younger than the firm's minimum age")
    SELF_DIRECTED_NOT_ACKNOWLEDGED = (
        5156,
        "The customer agreement (self-directed: the firm gives no advice) must be signed",
    )
    MARGIN_AGREEMENT_REQUIRED = (5157, "A margin account needs the signed margin agreement")
    DUPLICATE_ACCOUNT_ID = (5158, "An account with this id already exists")
    INVALID_ACCOUNT_TRANSITION = (5159, "The account's status does not allow this")
    INVALID_ONBOARDING_POLICY = (5160, "The onboarding policy is not valid")
    FIELD_NOT_UPDATABLE = (5161, "This field cannot be changed after the application")
    INVALID_ACCOUNT_ID = (5162, "Account ids are UUIDs")

    # 6xxx runtime.
    JOURNAL_UNAVAILABLE = (6001, "The journal is unavailable; nothing was accepted")
    OVERLOADED = (6002, "The system is overloaded; retry later")
    CLIENT_ID_REUSED = (6003, "This client id was already used for a different command")
    CORE_HALTED = (6004, "The core has stopped; nothing was accepted, retry after restart")
    ACCOUNT_NOT_PERMITTED = (6005, "This session may not act on this account")
    UNSUPPORTED_MESSAGE = (6006, "This message type is not accepted on this session")

    def __init__(self, number: int, text: str) -> None:
        self.number = number
        self.text = text

    @property
    def stage(self) -> Stage:
        """The pipeline stage that owns this code."""
        return _STAGE_BY_THOUSAND[self.number // 1000]

    @classmethod
    def from_number(cls, number: int) -> RejectCode:
        """Look a code up by its stable number (journals and wire formats carry numbers)."""
        return _BY_NUMBER[number]


_BY_NUMBER = {code.number: code for code in RejectCode}
assert len(_BY_NUMBER) == len(RejectCode), "reject numbers must be unique"


class DomainRejection(Exception):
    """Raised at the edges when text cannot become a domain value; carries the code to report."""

    def __init__(self, code: RejectCode, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code.number} {code.text}" + (f": {detail}" if detail else ""))
