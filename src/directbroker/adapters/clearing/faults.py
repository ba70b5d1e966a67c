"""The faults the simulated clearing firm was told to make, kept in ``faults.json``.

The file is a staff's list of what to get wrong on which day, added to with ``directbroker
backoffice fault add``. Amounts are written as text in the fault's own unit, as a person types
them: dollars for a wrong price or a cash difference (``"0.05"``, ``"-25.00"``), shares for a
wrong quantity (``"10"``). A bad fault is refused with a code and the file is left as it was.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from directbroker.adapters.clearing.drop import atomic_write, clearing_dir, day_name, parse_day
from directbroker.backoffice.clearing_firm import FIRST, ClearingFault, FaultKind

_DOLLAR_KINDS = {FaultKind.WRONG_PRICE, FaultKind.CASH_DIFFERENCE}
_SHARE_KINDS = {FaultKind.WRONG_QUANTITY}


class FaultError(ValueError):
    """A fault that cannot be kept: ``code`` (``BAD_FAULT``, ``BAD_FAULTS_FILE``) and why."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        super().__init__(f"{code}: {detail}")


def faults_path(data_dir: Path) -> Path:
    """Where a data directory's faults are."""
    return clearing_dir(data_dir) / "faults.json"


def parse_date(text: str) -> int:
    """``YYYY-MM-DD`` as YYYYMMDD (raises FaultError)."""
    try:
        return parse_day(text)
    except ValueError as exc:
        raise FaultError("BAD_FAULT", str(exc).removeprefix("BAD_DATE: ")) from None


def parse_amount(kind: FaultKind, text: str) -> int:
    """A fault's amount in its unit: dollars to $0.0001 units, or shares (raises FaultError)."""
    if not text:
        return 0
    if kind not in _DOLLAR_KINDS | _SHARE_KINDS:
        raise FaultError("BAD_FAULT", f"a {kind.value} fault takes no amount")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FaultError("BAD_FAULT", f"amount {text!r} is not a number") from None
    scaled = value * 10_000 if kind in _DOLLAR_KINDS else value
    if not scaled.is_finite() or scaled != scaled.to_integral_value() or not scaled:
        unit = "dollars with at most 4 decimals" if kind in _DOLLAR_KINDS else "whole shares"
        raise FaultError("BAD_FAULT", f"amount {text!r} is not a non-zero amount in {unit}")
    return int(scaled)


def format_amount(fault: ClearingFault) -> str:
    """A fault's amount as the file keeps it (empty: the default)."""
    if not fault.amount:
        return ""
    if fault.kind in _DOLLAR_KINDS:
        return str((Decimal(fault.amount) / 10_000).quantize(Decimal("0.0001")).normalize())
    return str(fault.amount)


def make_fault(
    date: str,
    kind: str,
    target: str = FIRST,
    amount: str = "",
    fix_after_days: int = 0,
    to_account: str = "",
) -> ClearingFault:
    """A fault from its text fields, checked (raises FaultError)."""
    try:
        fault_kind = FaultKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in FaultKind)
        raise FaultError("BAD_FAULT", f"kind {kind!r} is not one of {known}") from None
    if not target or target != target.strip() or "," in target:
        raise FaultError("BAD_FAULT", f"target {target!r}")
    if isinstance(fix_after_days, bool) or not isinstance(fix_after_days, int):
        raise FaultError("BAD_FAULT", f"fix_after_days {fix_after_days!r} is not a number")
    if fix_after_days < 0:
        raise FaultError("BAD_FAULT", f"fix_after_days {fix_after_days} is negative")
    if to_account and fault_kind is not FaultKind.WRONG_ACCOUNT:
        raise FaultError("BAD_FAULT", "only a wrong_account fault names a to_account")
    return ClearingFault(
        parse_date(date), fault_kind, target, parse_amount(fault_kind, amount), fix_after_days,
        to_account,
    )  # fmt: skip


def _as_json(fault: ClearingFault) -> dict[str, Any]:
    return {
        "date": day_name(fault.date),
        "kind": fault.kind.value,
        "target": fault.target,
        "amount": format_amount(fault),
        "fix_after_days": fault.fix_after_days,
        "to_account": fault.to_account,
    }


def _from_json(item: dict[str, Any]) -> ClearingFault:
    return make_fault(
        str(item["date"]), str(item["kind"]), str(item.get("target", FIRST)),
        str(item.get("amount", "")), item.get("fix_after_days", 0),
        str(item.get("to_account", "")),
    )  # fmt: skip


def load_faults(data_dir: Path) -> list[ClearingFault]:
    """Every fault of a data directory (none when there is no file)."""
    path = faults_path(data_dir)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["faults"]
        if not isinstance(items, list):
            raise TypeError("faults is not a list")
        return [_from_json(item) for item in items]
    except FaultError as exc:
        raise FaultError("BAD_FAULTS_FILE", f"{path.name}: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FaultError("BAD_FAULTS_FILE", f"{path.name}: {exc}") from None


def save_faults(data_dir: Path, faults: Sequence[ClearingFault]) -> None:
    """Replace the faults file (atomically)."""
    text = json.dumps({"faults": [_as_json(f) for f in faults]}, indent=2) + "\n"
    atomic_write(faults_path(data_dir), text.encode())


def add_fault(data_dir: Path, fault: ClearingFault) -> list[ClearingFault]:
    """Add a fault; returns them all."""
    faults = [*load_faults(data_dir), fault]
    save_faults(data_dir, faults)
    return faults


def faults_on(faults: Sequence[ClearingFault], date: int) -> list[ClearingFault]:
    """The faults to make on ``date``, in the order they were added."""
    return [fault for fault in faults if fault.date == date]
