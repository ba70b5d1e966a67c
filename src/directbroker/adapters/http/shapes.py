"""Trading API responses in Alpaca's exact field names, types and status values.

Prices and money are decimal strings (never floats), quantities whole-share strings, times
RFC 3339 in UTC with nanoseconds. Our extensions sit beside Alpaca's fields under names Alpaca
does not use (``route``, ``children``, ``reject_reason``, ``peg_type``), so Alpaca clients
ignore them; a pegged order shows as a limit (capped) or market order with its ``peg_type``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from directbroker.adapters.http.ids import (
    account_id,
    api_order_id,
    asset_id,
    execution_id,
    stable_uuid,
)
from directbroker.adapters.http.ports import (
    AccountSnapshot,
    Activity,
    ChildOrderView,
    MarginCallView,
    OrderView,
    PositionView,
    TradeUpdate,
)
from directbroker.domain.accounts import AccountStatus, format_money
from directbroker.domain.instruments import Instrument
from directbroker.domain.numbers import PRICE_SCALE, format_price
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.venue_messages import FEE_SCALE

Json = dict[str, Any]

_ORDER_STATUS = {
    OrdStatus.PENDING_NEW: "pending_new",
    OrdStatus.NEW: "new",
    OrdStatus.PARTIALLY_FILLED: "partially_filled",
    OrdStatus.FILLED: "filled",
    OrdStatus.DONE_FOR_DAY: "done_for_day",
    OrdStatus.CANCELED: "canceled",
    OrdStatus.PENDING_CANCEL: "pending_cancel",
    OrdStatus.REJECTED: "rejected",
    OrdStatus.SUSPENDED: "held",
    OrdStatus.EXPIRED: "expired",
    OrdStatus.PENDING_REPLACE: "pending_replace",
    OrdStatus.REPLACED: "replaced",
}

_ALPACA_TYPE = {
    OrderType.MARKET_ON_OPEN: "market",
    OrderType.MARKET_ON_CLOSE: "market",
    OrderType.LIMIT_ON_OPEN: "limit",
    OrderType.LIMIT_ON_CLOSE: "limit",
}
_PEG_TYPE = {
    OrderType.PEG_MIDPOINT: "midpoint",
    OrderType.PEG_PRIMARY: "primary",
    OrderType.PEG_MARKET: "market",
}

_EXCHANGES = {"NSDQ": "NASDAQ", "NASDAQ": "NASDAQ", "ARCA": "ARCA", "NYSE": "NYSE",
              "BATS": "BATS", "AMEX": "AMEX"}  # fmt: skip

_ACCOUNT_STATUS = {
    AccountStatus.ACTIVE: "ACTIVE",
    AccountStatus.RESTRICTED: "LIMITED",
    AccountStatus.CLOSE_ONLY: "LIMITED",
    AccountStatus.CLOSED: "ACCOUNT_CLOSED",
}


def iso(ts_ns: int | None) -> str | None:
    """RFC 3339 UTC with nanoseconds, as Alpaca's market data API writes times."""
    if ts_ns is None:
        return None
    seconds, nanos = divmod(ts_ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


def price_text(units: int | None) -> str | None:
    """A price as decimal text (None stays None)."""
    return None if units is None else format_price(units)


def money_text(units: int) -> str:
    """Money as decimal text with cents."""
    return format_money(units)


def ratio_text(numerator: int, denominator: int) -> str:
    """A fraction (not a percentage) to four decimals, as Alpaca's ``*_plpc`` fields."""
    if denominator == 0:
        return "0"
    value = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))
    return str(value)


def order_status_text(view: OrderView) -> str:
    """Alpaca's status (a replaced order is done: ``replaced_by`` names the new one)."""
    return _ORDER_STATUS[view.status]


def _child(child: ChildOrderView) -> Json:
    return {
        "id": child.child_id,
        "venue": child.venue,
        "qty": str(child.quantity),
        "filled_qty": str(child.filled_quantity),
        "limit_price": price_text(child.limit_price),
        "purpose": child.purpose,
        "status": child.status,
        "sent_at": iso(child.sent_ns),
        "filled_avg_price": price_text(child.filled_avg_price),
        "fee": str(Decimal(child.fee) / FEE_SCALE),
        "accepted_at": iso(child.accepted_ns),
        "done_at": iso(child.done_ns),
    }


def render_order(view: OrderView) -> Json:
    """An Alpaca order object (legs nested)."""
    kind = _ALPACA_TYPE.get(view.order_type, view.order_type.value)
    peg_type = _PEG_TYPE.get(view.order_type)
    if peg_type is not None:
        # Alpaca's SDK knows no "peg" type and would refuse the whole order list over one, so
        # a peg shows as the Alpaca order it is closest to (as on-open orders show as market
        # or limit): limit when capped, market when not; ``peg_type`` says what it follows.
        kind = "market" if view.limit_price is None else "limit"
    side = "buy" if view.side is Side.BUY else "sell"
    trail_percent = (
        None if view.trail_percent_bps is None else str(Decimal(view.trail_percent_bps) / 100)
    )
    return {
        "id": api_order_id(view.order_id),
        "client_order_id": view.client_order_id,
        "created_at": iso(view.created_ns),
        "updated_at": iso(view.updated_ns),
        "submitted_at": iso(view.created_ns),
        "filled_at": iso(view.filled_ns),
        "expired_at": iso(view.expired_ns),
        "expires_at": None,
        "canceled_at": iso(view.canceled_ns),
        "failed_at": iso(view.failed_ns),
        "replaced_at": iso(view.replaced_ns),
        "replaced_by": api_order_id(view.replaced_by) if view.replaced_by else None,
        "replaces": api_order_id(view.replaces) if view.replaces else None,
        "asset_id": asset_id(view.symbol),
        "symbol": view.symbol,
        "asset_class": "us_equity",
        "notional": None,
        "qty": str(view.quantity),
        "filled_qty": str(view.filled_quantity),
        "filled_avg_price": price_text(view.filled_avg_price) if view.filled_quantity else None,
        "order_class": view.order_class.value,
        "order_type": kind,
        "type": kind,
        "side": side,
        "position_intent": None,
        "time_in_force": view.time_in_force.value,
        "limit_price": price_text(view.limit_price),
        "stop_price": price_text(view.stop_price),
        "status": order_status_text(view),
        "extended_hours": view.extended_hours,
        "legs": [render_order(leg) for leg in view.legs] or None,
        "trail_percent": trail_percent,
        "trail_price": price_text(view.trail_amount),
        "hwm": price_text(view.hwm),
        "route": view.route,
        "peg_type": peg_type,
        "account": view.account,
        "short_sale": view.side in (Side.SELL_SHORT, Side.SELL_SHORT_EXEMPT),
        "reject_reason": view.reject_reason or None,
        "children": [_child(c) for c in view.children],
    }


def exchange_of(instrument: Instrument | None) -> str:
    """Alpaca's ``exchange`` value for an instrument's primary listing."""
    if instrument is None:
        return ""
    return _EXCHANGES.get(instrument.primary_venue, "")


def render_asset(instrument: Instrument, shortable: bool = True) -> Json:
    """An Alpaca asset object (whole shares only: not fractionable)."""
    return {
        "id": asset_id(instrument.symbol),
        "class": "us_equity",
        "exchange": exchange_of(instrument),
        "symbol": instrument.symbol,
        "name": instrument.name,
        "status": "active",
        "tradable": True,
        "marginable": True,
        "maintenance_margin_requirement": 30,
        "shortable": shortable,
        "easy_to_borrow": shortable,
        "fractionable": False,
        "min_order_size": "1",
        "min_trade_increment": "1",
        "price_increment": "0.01",
        "attributes": [],
    }


def render_position(
    position: PositionView, instrument: Instrument | None, prior_close: int | None
) -> Json:
    """An Alpaca position object."""
    qty = position.quantity
    lastday = prior_close if prior_close is not None else position.mark
    intraday_base = lastday * qty
    return {
        "asset_id": asset_id(position.symbol),
        "symbol": position.symbol,
        "exchange": exchange_of(instrument),
        "asset_class": "us_equity",
        "asset_marginable": True,
        "avg_entry_price": price_text(position.average_cost),
        "qty": str(qty),
        "qty_available": str(qty),
        "side": "long" if qty > 0 else "short",
        "market_value": money_text(position.market_value),
        "cost_basis": money_text(position.cost_basis),
        "unrealized_pl": money_text(position.unrealized_pnl),
        "unrealized_plpc": ratio_text(position.unrealized_pnl, abs(position.cost_basis)),
        "unrealized_intraday_pl": money_text(position.market_value - intraday_base),
        "unrealized_intraday_plpc": ratio_text(
            position.market_value - intraday_base, abs(intraday_base)
        ),
        "current_price": price_text(position.mark),
        "lastday_price": price_text(lastday),
        "change_today": ratio_text(position.mark - lastday, lastday),
        "realized_pl": money_text(position.realized_pnl),
    }


def render_account(snapshot: AccountSnapshot) -> Json:
    """An Alpaca account object. The buying power figures are the ones pre-trade risk checks
    orders against (net of working orders, with the holder's margin multiplier)."""
    values = snapshot.values
    power = values.buying_power if snapshot.buying_power is None else snapshot.buying_power
    regt = power if snapshot.regt_buying_power is None else snapshot.regt_buying_power
    non_marginable = snapshot.non_marginable_buying_power
    if non_marginable is None:
        non_marginable = max(values.settled_cash, 0)
    return {
        "id": account_id(values.account),
        "account_number": snapshot.account_number,
        "status": _ACCOUNT_STATUS[values.status],
        "crypto_status": "INACTIVE",
        "currency": "USD",
        "buying_power": money_text(power),
        "regt_buying_power": money_text(regt),
        "daytrading_buying_power": money_text(snapshot.daytrading_buying_power or 0),
        "non_marginable_buying_power": money_text(non_marginable),
        "options_buying_power": "0",
        "cash": money_text(values.cash),
        "accrued_fees": money_text(snapshot.accrued_fees),
        "pending_transfer_in": money_text(snapshot.pending_transfer_in),
        "pending_transfer_out": money_text(snapshot.pending_transfer_out),
        "portfolio_value": money_text(values.equity),
        "trading_blocked": snapshot.trading_blocked,
        "transfers_blocked": snapshot.transfers_blocked,
        "account_blocked": snapshot.account_blocked,
        "created_at": iso(snapshot.created_ns),
        "trade_suspended_by_user": snapshot.trade_suspended_by_user,
        "multiplier": str(snapshot.multiplier),
        "shorting_enabled": snapshot.shorting_enabled,
        "equity": money_text(values.equity),
        "last_equity": money_text(snapshot.last_equity),
        "long_market_value": money_text(values.long_market_value),
        "short_market_value": money_text(-values.short_market_value),
        "initial_margin": money_text(values.reg_t_requirement),
        "maintenance_margin": money_text(values.maintenance_requirement),
        "last_maintenance_margin": money_text(values.maintenance_requirement),
        "sma": money_text(values.sma),
        "options_approved_level": 0,
        "options_trading_level": 0,
        "account_type": values.account_type.value,
        "settled_cash": money_text(values.settled_cash),
        "withdrawable_cash": money_text(values.withdrawable_cash),
        "margin_call": render_margin_call(snapshot.margin_call, values.margin_deficiency),
    }


def render_margin_call(call: MarginCallView | None, deficiency: int) -> Json | None:
    """The ``margin_call`` extension of the account (null without an open call; alpaca-py
    ignores fields its models do not know). ``amount`` is the call as issued, ``deficiency``
    what is still missing as the books value the account now."""
    if call is None:
        return None
    return {
        "amount": money_text(call.amount),
        "deficiency": money_text(deficiency),
        "equity_at_call": money_text(call.equity),
        "maintenance_requirement": money_text(call.maintenance_requirement),
        "issued_at": iso(call.issued_ns),
        "due_date": iso_date(call.due_date),
    }


def iso_date(date: int) -> str:
    """YYYYMMDD as ``YYYY-MM-DD``."""
    return f"{date // 10_000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"


def _activity_id(activity: Activity) -> str:
    """Alpaca's activity id form: ``YYYYMMDDHHMMSSmmm::<uuid>``."""
    if "::" in activity.activity_id:
        return activity.activity_id
    moment = datetime.fromtimestamp(activity.ts_ns // 1_000_000_000, UTC)
    millis = activity.ts_ns // 1_000_000 % 1_000
    return f"{moment:%Y%m%d%H%M%S}{millis:03d}::{stable_uuid('activity', activity.activity_id)}"


def render_activity(activity: Activity) -> Json:
    """An Alpaca account activity (trade or non-trade)."""
    stamp = iso(activity.ts_ns) or ""
    base: Json = {
        "id": _activity_id(activity),
        "account_id": account_id(activity.account),
        "activity_type": activity.activity_type,
    }
    if activity.activity_type == "FILL":
        base |= {
            "transaction_time": stamp,
            "type": "fill" if activity.leaves_quantity == 0 else "partial_fill",
            "price": price_text(activity.price),
            "qty": str(activity.quantity),
            "side": "buy" if activity.side is Side.BUY else "sell",
            "symbol": activity.symbol,
            "leaves_qty": str(activity.leaves_quantity),
            "order_id": api_order_id(activity.order_id),
            "cum_qty": str(activity.cum_quantity),
            "order_status": _ORDER_STATUS.get(activity.order_status or OrdStatus.FILLED, "filled"),
        }
        return base
    day = str(activity.date)
    base |= {
        "date": f"{day[:4]}-{day[4:6]}-{day[6:8]}",
        "net_amount": money_text(activity.net_amount),
        "description": activity.description,
        "status": "executed",
        "symbol": activity.symbol or None,
        "qty": str(activity.quantity) if activity.quantity else None,
        "per_share_amount": None,
    }
    return base


def render_trade_update(update: TradeUpdate) -> Json:
    """A trade_updates stream message."""
    data: Json = {
        "event": update.event.value,
        "timestamp": iso(update.ts_ns),
        "order": render_order(update.order),
    }
    if update.execution_id is not None:
        data["execution_id"] = execution_id(update.execution_id)
        data["exec_id"] = update.execution_id
    if update.price is not None:
        data["price"] = price_text(update.price)
    if update.quantity is not None:
        data["qty"] = str(update.quantity)
    if update.position_qty is not None:
        data["position_qty"] = str(update.position_qty)
    return {"stream": "trade_updates", "data": data}


def dollars(units: int) -> float:
    """Money as a float, only where Alpaca's schema demands numbers (portfolio history)."""
    return float(Decimal(units) / PRICE_SCALE)
