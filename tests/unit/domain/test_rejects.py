"""Reject codes are stable, unique and grouped by stage."""

from __future__ import annotations

from directbroker.domain import RejectCode, Stage


def test_numbers_are_unique_and_look_up() -> None:
    numbers = [code.number for code in RejectCode]
    assert len(numbers) == len(set(numbers))
    for code in RejectCode:
        assert RejectCode.from_number(code.number) is code


def test_stage_follows_the_thousands_digit() -> None:
    assert RejectCode.UNKNOWN_SYMBOL.stage is Stage.VALIDATION
    assert RejectCode.KILL_SWITCH.stage is Stage.RISK
    assert RejectCode.SYMBOL_HALTED.stage is Stage.MATCHING


def test_every_code_has_a_human_message() -> None:
    for code in RejectCode:
        assert code.text and code.text[0].isupper()


def test_published_numbers_never_change() -> None:
    assert RejectCode.MALFORMED.number == 1000
    assert RejectCode.UNKNOWN_SYMBOL.number == 1001
    assert RejectCode.PRICE_OFF_TICK.number == 1005
    assert RejectCode.DUPLICATE_ORDER_ID.number == 1010
    assert RejectCode.SYMBOL_HALTED.number == 3001
