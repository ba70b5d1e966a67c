"""The risk engine: the pre-trade pipeline in a fixed order, and the post-trade bookkeeping
(day trades, cash-account funding, the daily loss switch) that later checks depend on.

The order of the checks is part of the contract (the first failure is the one reported):
switches and lists, throttles, the market, size and price, account status, Reg SHO, funds,
margin.
"""

from __future__ import annotations

from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import (
    AccountCloseOnlyChanged,
    AccountConfiguration,
    CashAccountViolationRecorded,
    CheckWhen,
)
from directbroker.domain.messages import Event
from directbroker.domain.order_status import DayTradingRule
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk import cash_account, funds, rules, short_sale
from directbroker.engines.risk.facts import AccountFacts, MarketFacts, OrderTicket
from directbroker.engines.risk.limits import Limits, RiskPolicy, effective
from directbroker.engines.risk.money import BPS, dollars
from directbroker.engines.risk.rules import Refusal
from directbroker.engines.risk.state import DayTrades, RiskState


class RiskEngine:
    """Pre-trade checks and the state they need."""

    def __init__(self, policy: RiskPolicy | None = None) -> None:
        self.policy = policy if policy is not None else RiskPolicy()
        self.state = RiskState()

    # --- pre-trade -----------------------------------------------------------------------

    def limits(self, account: str) -> Limits:
        """The limits in force for an account."""
        return effective(self.state.account_limits.get(account), self.state.firm.limits)

    def kill_switch(self, account: str, symbol: str = "") -> Refusal | None:
        """Whether a kill switch stops this account, or trading in this symbol."""
        state = self.state
        reason = state.firm_kill if state.firm_kill is not None else state.account_kill.get(account)
        scope = "for the firm" if state.firm_kill is not None else f"for account {account}"
        if reason is None and symbol in state.symbol_kill:
            reason, scope = state.symbol_kill[symbol], f"in {symbol}"
        if reason is None:
            return None
        return RejectCode.KILL_SWITCH, f"Trading is stopped {scope} by the kill switch: {reason}"

    def check(
        self, ticket: OrderTicket, account: AccountFacts, market: MarketFacts, ts: int
    ) -> Refusal | int:
        """The first failed check, or the price per share to reserve buying power at (0 when
        the order only reduces a position)."""
        return self._check(ticket, account, market, ts, placing=True)

    def check_held(
        self, ticket: OrderTicket, account: AccountFacts, market: MarketFacts, ts: int
    ) -> Refusal | int:
        """The checks for an order the broker held, at the moment it goes to market (a
        triggered stop as the market or limit order it becomes, a released bracket/OTO leg).

        Everything about the order, the account and the market runs again; the rate limit and
        the duplicate window do not, because they judge the customer's act of placing, which
        happened (and was counted) when the order was accepted."""
        return self._check(ticket, account, market, ts, placing=False)

    def check_block(self, ticket: OrderTicket, market: MarketFacts) -> Refusal | int:
        """The checks on a block order as a whole, before each account's share is checked
        with :meth:`check`: the kill switch, the restricted list, the market, the firm's size
        limits and the collar. Funds are each account's matter, not the average-price
        account's (it only carries the fills until they are allocated). Returns the price per
        share the order is estimated at."""
        state = self.state
        refusal = self.kill_switch(ticket.account, ticket.symbol)
        if refusal is not None:
            return refusal
        why = state.restricted.get(ticket.symbol)
        if why is not None:
            return (
                RejectCode.RESTRICTED_SECURITY,
                f"{ticket.symbol} is on the firm's restricted list: {why}",
            )
        refusal = rules.check_market(ticket, market)
        if refusal is not None:
            return refusal
        price = rules.estimate_price(ticket, market, state.firm.market_buffer_bps)
        if price is None:
            return (
                RejectCode.NO_MARKET_PRICE,
                f"There is no quote or last sale for {ticket.symbol} to price this order; "
                "use a limit order",
            )
        limits = self.limits(ticket.account)
        return (
            rules.check_size(ticket, price, limits)
            or rules.check_collar(ticket, market, limits)
            or price
        )

    def _check(
        self,
        ticket: OrderTicket,
        account: AccountFacts,
        market: MarketFacts,
        ts: int,
        placing: bool,
    ) -> Refusal | int:
        state = self.state
        refusal = self.kill_switch(ticket.account, ticket.symbol)
        if refusal is not None:
            return refusal
        config = state.configuration(ticket.account)
        if placing and config.suspend_trade:
            return (
                RejectCode.TRADING_SUSPENDED,
                f"Account {ticket.account} has suspended trading (suspend_trade); change the "
                "account configuration to place orders",
            )
        if config.no_shorting and ticket.side in short_sale.SHORT_SIDES:
            return (
                RejectCode.SHORTING_DISABLED,
                f"Account {ticket.account} does not allow short sales (no_shorting); sell only "
                "shares you hold",
            )
        why = state.restricted.get(ticket.symbol)
        if why is not None:
            return (
                RejectCode.RESTRICTED_SECURITY,
                f"{ticket.symbol} is on the firm's restricted list: {why}",
            )
        limits = self.limits(ticket.account)
        refusal = None
        if placing:
            refusal = rules.check_rate(
                state.recent_orders(ticket.account, ts), limits.max_orders_per_second
            )
        if refusal is None and placing and not ticket.is_replace:
            refusal = rules.check_duplicate(
                state.duplicates.get(ticket.fingerprint), ts, state.firm.duplicate_window_ns
            )
        refusal = refusal or rules.check_market(ticket, market)
        if refusal is not None:
            return refusal
        price = rules.estimate_price(ticket, market, state.firm.market_buffer_bps)
        if price is None:
            return (
                RejectCode.NO_MARKET_PRICE,
                f"There is no quote or last sale for {ticket.symbol} to price this order; "
                "use a limit order",
            )
        refusal = (
            rules.check_size(ticket, price, limits)
            or rules.check_collar(ticket, market, limits)
            or funds.check_close_only(
                ticket, account, self._daily_loss(ticket.account, account, limits)
            )
            or short_sale.check_long_sale(ticket, account)
            or short_sale.check_short_sale(
                ticket,
                account,
                market,
                ticket.symbol in state.easy_to_borrow,
                state.locates.get((ticket.account, ticket.symbol), 0),
                self.policy.minimum_short_equity,
            )
            or short_sale.conflicts_with_short(ticket, account)
            or self._day_trading(ticket, account, config.pdt_check)
        )
        if refusal is not None:
            return refusal
        if funds.reduces_position(ticket, account):
            return 0
        return self._funds(ticket, account, price, limits, config) or price

    def _daily_loss(self, account: str, facts: AccountFacts, limits: Limits) -> str | None:
        reason = self.state.close_only.get(account)
        if reason is not None:
            return reason
        return self.daily_loss_reason(facts.values.day_pnl, limits.max_daily_loss)

    @staticmethod
    def daily_loss_reason(day_pnl: int, limit: int) -> str | None:
        """Why the account is close-only for its losses today (None: it is not)."""
        if not limit or day_pnl > -limit:
            return None
        return (
            f"the maximum daily loss of {dollars(limit)} was reached (day P&L {dollars(day_pnl)})"
        )

    def _funds(
        self,
        ticket: OrderTicket,
        account: AccountFacts,
        price: int,
        limits: Limits,
        config: AccountConfiguration,
    ) -> Refusal | None:
        """Buying power (capped by the holder's margin multiplier), credit and, where the
        holder's ``dtbp_check`` covers entries, the day-trading (intraday margin) check:
        only orders that open or add to a position get here."""
        record = self.state.cash.get(ticket.account)
        restricted = record.restricted_until if record is not None else 0
        refusal = funds.check_buying_power(
            ticket, account, price, restricted, config.max_margin_multiplier
        ) or funds.check_credit(ticket, account, price, limits.credit_limit)
        if (
            refusal is not None
            or self.policy.day_trading_rule is not DayTradingRule.INTRADAY_MARGIN
            or not config.dtbp_check.on_entry
        ):
            return refusal
        policy = self.policy
        short = ticket.side is not Side.BUY
        base = policy.short_maintenance_bps if short else policy.long_maintenance_bps
        rate = max(base, self.state.house_margin.get(ticket.symbol, 0))
        return funds.check_intraday_margin(
            ticket, account, price, rate, policy.long_maintenance_bps
        )

    def _day_trading(
        self, ticket: OrderTicket, account: AccountFacts, when: CheckWhen
    ) -> Refusal | None:
        """The pattern day trader rule, on the orders the holder's ``pdt_check`` names: an
        exit that would be a day trade, or (entry) an order that opens a position the account
        could not close today without one day trade too many."""
        policy = self.policy
        if policy.day_trading_rule is not DayTradingRule.PATTERN_DAY_TRADER:
            return None
        trades = self.state.day_trades.get(ticket.account)
        if trades is None:
            return None
        entry = not funds.reduces_position(ticket, account)
        if not (when.on_entry if entry else when.on_exit):
            return None
        would = entry or _would_day_trade(trades, ticket.side, ticket.symbol)
        return funds.check_pattern_day_trader(
            ticket,
            account,
            would,
            self.day_trades_in_window(ticket.account),
            policy.day_trades_allowed,
            policy.pattern_day_trader_equity,
            entry,
        )

    def day_trades_in_window(self, account: str) -> int:
        """Day trades today and in the previous business days of the window."""
        trades = self.state.day_trades.get(account)
        if trades is None:
            return 0
        return len(trades.orders) + sum(count for _, count in trades.history)

    def house_addon(self, symbol: str, market_value: int) -> int:
        """Maintenance the house adds over FINRA's on a position of ``market_value``
        (signed: negative for a short)."""
        house = self.state.house_margin.get(symbol)
        if not house:
            return 0
        policy = self.policy
        base = policy.long_maintenance_bps if market_value >= 0 else policy.short_maintenance_bps
        return max(0, -(-abs(market_value) * (house - base) // BPS))

    def count_order(self, ticket: OrderTicket, ts: int) -> None:
        """An order was accepted: count it for the rate limit and duplicate detection."""
        fingerprint = None if ticket.is_replace else ticket.fingerprint
        self.state.count_order(ticket.account, fingerprint, ts)

    # --- post-trade ----------------------------------------------------------------------

    def on_execution(
        self,
        order_id: str,
        account_type: AccountType,
        execution: tuple[str, str, Side, int, int],
        settled_cash: int,
        position_before: int,
        dates: tuple[int, int],
        ts: int,
    ) -> list[Event]:
        """Book an execution for day-trade counting, locates and cash-account funding.

        ``execution`` is (account, symbol, side, quantity, signed net amount).
        """
        account, symbol, side, quantity, net = execution
        trade_date, settlement_date = dates
        self._count_day_trade(account, order_id, symbol, side, quantity)
        key = (account, symbol)
        if side in short_sale.SHORT_SIDES and key in self.state.locates:
            self.state.locates[key] = max(0, self.state.locates[key] - quantity)
        if account_type is not AccountType.CASH:
            return []
        record = self.state.cash.setdefault(account, cash_account.CashRecord())
        if side is Side.BUY:
            cash_account.record_buy(
                record, symbol, quantity, -net, settled_cash, trade_date, settlement_date
            )
            return []
        violation = cash_account.record_sell(
            record, symbol, quantity, position_before, net, trade_date, settlement_date
        )
        if violation is None:
            return []
        policy = self.policy
        count = cash_account.record_violation(
            record, violation, trade_date, policy.good_faith_limit, policy.restriction_days
        )
        return [
            CashAccountViolationRecorded(
                account, violation, symbol, count, record.restricted_until, ts
            )
        ]

    def _count_day_trade(
        self, account: str, order_id: str, symbol: str, side: Side, quantity: int
    ) -> None:
        trades = self.state.day_trades.setdefault(account, DayTrades())
        if _would_day_trade(trades, side, symbol) and order_id not in trades.orders:
            trades.orders.append(order_id)
        if side is Side.BUY:
            covering = trades.shorted.get(symbol, 0) > trades.covered.get(symbol, 0)
            book = trades.covered if covering else trades.bought
        else:
            book = trades.sold if side is Side.SELL else trades.shorted
        book[symbol] = book.get(symbol, 0) + quantity

    def check_daily_loss(self, account: str, day_pnl: int, ts: int) -> list[Event]:
        """Switch the account to close-only once its day's loss reaches the limit."""
        if account in self.state.close_only:
            return []
        reason = self.daily_loss_reason(day_pnl, self.limits(account).max_daily_loss)
        if reason is None:
            return []
        self.state.close_only[account] = reason
        return [AccountCloseOnlyChanged(account, True, reason, ts)]

    def loss_limited(self, account: str) -> bool:
        """Whether the account has a daily loss limit and is not yet close-only."""
        return bool(self.limits(account).max_daily_loss) and account not in self.state.close_only

    def start_day(self, date: int, ts: int) -> list[Event]:
        """A new business day: daily switches and counters reset, locates lapse."""
        state = self.state
        events: list[Event] = [
            AccountCloseOnlyChanged(account, False, "a new trading day", ts)
            for account in sorted(state.close_only)
        ]
        state.close_only.clear()
        state.locates.clear()
        keep = self.policy.day_trade_window_days - 1
        for trades in state.day_trades.values():
            if state.date:
                trades.history.append([state.date, len(trades.orders)])
            del trades.history[: max(0, len(trades.history) - keep)]
            trades.orders.clear()
            for book in (trades.bought, trades.sold, trades.shorted, trades.covered):
                book.clear()
        for record in state.cash.values():
            record.roll(date)
        state.date = date
        return events


def _would_day_trade(trades: DayTrades, side: Side, symbol: str) -> bool:
    """Whether an execution on ``side`` would close shares opened today."""
    if side is Side.SELL:
        return trades.bought.get(symbol, 0) > trades.sold.get(symbol, 0)
    if side is Side.BUY:
        return trades.shorted.get(symbol, 0) > trades.covered.get(symbol, 0)
    return False
