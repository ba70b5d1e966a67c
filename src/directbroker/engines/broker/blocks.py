"""The broker core's block desk: account groups, block orders and their allocation instructions.

A block is one parent order in the firm's average-price account (``AVERAGE_PRICE_ACCOUNT``),
worked by the OMS and the router like any order. The desk remembers, per block, the accounts
it is for (the group's members when it was placed: a later change of the group does not move a
block's shares), its allocation instruction and its fills. Once the parent is done the core
allocates the fills with :func:`directbroker.engines.portfolio.allocate` (largest remainder,
one average price) and books each share as two executions at the average price: the
average-price account gives the shares up, the customer account takes them, each entry
balanced by the ledger. What the rounding of the average price leaves (the exact notional less
average x quantity) stays in the average-price account as its realized P&L.

This module decides what is well formed and what the weights are; the core does the risk checks
and the posting (it owns the OMS, risk and the ledger).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from directbroker.domain.block_messages import (
    MAX_STEP_OUTS,
    InstructBlockAllocation,
    PlaceBlockOrder,
)
from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import AllocationMethod
from directbroker.domain.rejects import RejectCode
from directbroker.engines.portfolio.allocation import (
    AllocationError,
    largest_remainder,
    method_weights,
)

Refusal = tuple[RejectCode, str]

MAX_BLOCK_ID = 48
"""Block ids are order ids (the parent's), so they share the order id's length."""


@dataclass(slots=True)
class Block:
    """One block as the core remembers it."""

    block_id: str
    group: str
    accounts: tuple[str, ...]
    symbol: str
    side: Side
    quantity: int
    actor: str
    placed_ns: int
    method: AllocationMethod | None
    weights: tuple[int, ...]
    fill_quantities: list[int] = field(default_factory=list)
    fill_prices: list[int] = field(default_factory=list)
    allocated: int = 0
    finished: bool = False
    step_out_brokers: tuple[str, ...] = ()
    step_out_quantities: tuple[int, ...] = ()
    shares: tuple[int, ...] = ()
    """Each account's share of the block as pre-trade risk checked it."""
    reserve_prices: tuple[int, ...] = ()
    """The price per share each account's share reserves buying power at (risk's verdict)."""

    def reservation(self, account: str, working: bool) -> int:
        """Buying power ``account``'s share holds until it is booked: all of its share while
        the parent works, its part of what filled once the parent is done (allocation, or a
        finish with nothing filled, releases it)."""
        if account not in self.accounts or not self.reserve_prices or self.quantity <= 0:
            return 0
        index = self.accounts.index(account)
        outstanding = self.quantity if working else self.filled
        return self.reserve_prices[index] * (self.shares[index] * outstanding // self.quantity)

    @property
    def stepped_out(self) -> int:
        """Shares of the block given up to other brokers (of the whole block)."""
        return sum(self.step_out_quantities)

    @property
    def filled(self) -> int:
        """Shares the street filled so far."""
        return sum(self.fill_quantities)

    def to_plain(self) -> list[Any]:
        return [
            self.block_id, self.group, list(self.accounts), self.symbol, self.side.value,
            self.quantity, self.actor, self.placed_ns,
            self.method.value if self.method is not None else None, list(self.weights),
            self.fill_quantities, self.fill_prices, self.allocated, self.finished,
            list(self.step_out_brokers), list(self.step_out_quantities), list(self.shares),
            list(self.reserve_prices),
        ]  # fmt: skip

    @classmethod
    def from_plain(cls, plain: list[Any]) -> Block:
        (block_id, group, accounts, symbol, side, quantity, actor, placed, method, weights,
         fill_quantities, fill_prices, allocated, finished) = plain[:14]  # fmt: skip
        # Snapshots taken before step-outs (and reservations) existed have none.
        brokers, stepped = plain[14:16] if len(plain) >= 16 else ([], [])
        shares, prices = plain[16:18] if len(plain) >= 18 else ([], [])
        return cls(
            block_id, group, tuple(accounts), symbol, Side(side), quantity, actor, placed,
            AllocationMethod(method) if method is not None else None, tuple(weights),
            list(fill_quantities), list(fill_prices), allocated, finished,
            tuple(brokers), tuple(stepped), tuple(shares), tuple(prices),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Instruction:
    """An allocation instruction in the desk's terms: weights lined up with the accounts."""

    method: AllocationMethod
    weights: tuple[int, ...]
    step_out_brokers: tuple[str, ...] = ()
    step_out_quantities: tuple[int, ...] = ()


def step_outs(brokers: object, quantities: object, block_quantity: int) -> Instruction | Refusal:
    """Step-outs as an (incomplete) instruction, or why not: each broker an MPID-like id
    (1 to 16 capital letters or digits) named once, with positive shares that together leave
    no less than nothing of the block."""
    if type(brokers) is not tuple or type(quantities) is not tuple:
        return RejectCode.MALFORMED, "step-out brokers and quantities must be lists"
    if len(brokers) != len(quantities) or len(brokers) > MAX_STEP_OUTS:
        text = f"Name at most {MAX_STEP_OUTS} step-out brokers, each with its quantity"
        return RejectCode.INVALID_STEP_OUT, text
    for broker in brokers:
        if not _broker_id(broker):
            shown = str(broker)[:32]
            return RejectCode.INVALID_STEP_OUT, f"{shown!r} is not a broker id (A-Z, 0-9)"
    if len(set(brokers)) != len(brokers):
        return RejectCode.INVALID_STEP_OUT, "Name each step-out broker once"
    if any(type(q) is not int or q <= 0 for q in quantities):
        return RejectCode.INVALID_STEP_OUT, "Step-out quantities must be positive whole shares"
    if sum(quantities) > block_quantity:
        text = f"Step-outs of {sum(quantities)} shares exceed the block of {block_quantity}"
        return RejectCode.INVALID_STEP_OUT, text
    return Instruction(AllocationMethod.SHARES, (), brokers, quantities)


def _broker_id(value: object) -> bool:
    """1 to 16 capital ASCII letters or digits (an MPID, a clearing number)."""
    return (
        type(value) is str
        and 0 < len(value) <= 16
        and value.isascii()
        and value.isalnum()
        and value == value.upper()
    )


def opposite(side: Side) -> Side:
    """The average-price account's side when it hands a block's shares on."""
    return Side.SELL if side is Side.BUY else Side.BUY


def _text(value: object, most: int = 64) -> bool:
    return type(value) is str and 0 < len(value) <= most and value.isprintable()


def instruction(
    accounts: Sequence[str],
    method: object,
    weights: object,
    named: object,
    quantities: object,
    whole: int,
) -> Instruction | Refusal:
    """The instruction as a method and weights lined up with ``accounts``, or why not.

    ``named``/``quantities`` (each account's shares, FIX AllocAccount/AllocQty) become SHARES
    weights; with ``whole`` (the block's quantity, for a pre-allocation) they must add up to it.
    NET_LIQUIDATION takes no weights: the accounts' equities at allocation time are its weights.
    """
    if not isinstance(method, AllocationMethod):
        return RejectCode.INVALID_ALLOCATION, f"Unknown allocation method {method!r}"
    if type(named) is not tuple or type(quantities) is not tuple or type(weights) is not tuple:
        return RejectCode.MALFORMED, "weights, accounts and quantities must be lists"
    if named:
        if weights or method is not AllocationMethod.SHARES:
            return RejectCode.INVALID_ALLOCATION, "Accounts with quantities are a SHARES split"
        if len(named) != len(quantities) or len(set(named)) != len(named):
            return RejectCode.INVALID_ALLOCATION, "Name each account once, with its quantity"
        strangers = [a for a in named if a not in accounts]
        if strangers:
            return RejectCode.INVALID_ALLOCATION, f"{strangers[0]!r} is not in the block's group"
        if any(type(q) is not int or q <= 0 for q in quantities):
            return RejectCode.INVALID_ALLOCATION, "Quantities must be positive whole shares"
        if whole and sum(quantities) != whole:
            text = f"The quantities add up to {sum(quantities)}, the block is {whole}"
            return RejectCode.INVALID_ALLOCATION, text
        share = dict(zip(named, quantities, strict=True))
        weights = tuple(share.get(a, 0) for a in accounts)
    elif quantities:
        return RejectCode.INVALID_ALLOCATION, "Quantities need the accounts they are for"
    if method is AllocationMethod.NET_LIQUIDATION:
        if weights:
            return RejectCode.INVALID_ALLOCATION, "By equity takes no weights"
        return Instruction(method, ())
    try:
        method_weights(method, len(accounts), weights, whole)
    except AllocationError as exc:
        return exc.code, exc.detail
    return Instruction(method, tuple(weights))


def split(
    block_accounts: Sequence[str],
    method: AllocationMethod | None,
    weights: Sequence[int],
    quantity: int,
    equity: Callable[[str], int],
) -> list[int] | Refusal:
    """``quantity`` split by the instruction (EQUAL without one), exactly."""
    chosen = method if method is not None else AllocationMethod.EQUAL
    try:
        if chosen is AllocationMethod.NET_LIQUIDATION:
            values = [max(0, equity(a)) for a in block_accounts]
            if not sum(values):
                return RejectCode.INVALID_ALLOCATION, "The accounts have no equity to weigh"
            return largest_remainder(quantity, values)
        integer = method_weights(chosen, len(block_accounts), weights, 0)
    except AllocationError as exc:
        return exc.code, exc.detail
    return largest_remainder(quantity, integer)


def check_place(cmd: PlaceBlockOrder, known: Callable[[str], bool]) -> Refusal | None:
    """Field checks on a block before the group and risk are looked at."""
    if not _text(cmd.block_id, MAX_BLOCK_ID) or ":" in cmd.block_id:
        return RejectCode.INVALID_ID, "A block needs an id of at most 48 characters"
    if known(cmd.block_id):
        return RejectCode.DUPLICATE_ORDER_ID, f"Order id {cmd.block_id} is already used"
    if not _text(cmd.actor, 128):
        return RejectCode.ACTOR_REQUIRED, "Name the manager placing the block"
    client: object = cmd.client_order_id
    if type(client) is not str or len(client) > 128 or not client.isprintable():
        return RejectCode.INVALID_CLIENT_TEXT, "The client order id must be printable text"
    if not _text(cmd.group):
        return RejectCode.UNKNOWN_GROUP, f"Unknown account group {str(cmd.group)[:64]!r}"
    side: object = cmd.side
    if not isinstance(side, Side):
        return RejectCode.MALFORMED, "side must be a known value"
    return None


def instruct_refusal(cmd: InstructBlockAllocation, block: Block | None) -> Refusal | None:
    """Why an allocation instruction cannot be taken (before its weights are checked)."""
    if block is None:
        return RejectCode.UNKNOWN_BLOCK, f"No block {str(cmd.block_id)[:64]!r}"
    if not _text(cmd.actor, 128):
        return RejectCode.ACTOR_REQUIRED, "Name who instructs the allocation"
    if block.allocated or block.finished:
        return RejectCode.BLOCK_ALREADY_ALLOCATED, f"Block {block.block_id} is already done"
    return None


class BlockBook:
    """Every block by id, which of them wait for their parent to finish, and which are not
    finished yet (their shares still reserve buying power)."""

    def __init__(self) -> None:
        self.blocks: dict[str, Block] = {}
        self.waiting: set[str] = set()
        self.unfinished: set[str] = set()

    def add(self, block: Block) -> None:
        self.blocks[block.block_id] = block
        self.waiting.add(block.block_id)
        self.unfinished.add(block.block_id)

    def finish(self, block: Block) -> None:
        """Nothing more will be booked for ``block``: its reservations end."""
        block.finished = True
        self.unfinished.discard(block.block_id)

    def reserved(self, account: str) -> int:
        """Buying power ``account``'s shares of unfinished blocks hold."""
        return sum(self.blocks[b].reservation(account, b in self.waiting) for b in self.unfinished)

    def get(self, block_id: object) -> Block | None:
        return self.blocks.get(block_id) if type(block_id) is str else None

    def to_plain(self) -> list[Any]:
        return [block.to_plain() for _, block in sorted(self.blocks.items())]

    @classmethod
    def from_plain(cls, plain: list[Any]) -> BlockBook:
        book = cls()
        for item in plain:
            block = Block.from_plain(item)
            book.blocks[block.block_id] = block
            if not block.finished:
                book.unfinished.add(block.block_id)
                # A parent that was done is not waiting: it is allocated or awaits an
                # instruction; the desk's settle() tells them apart as before.
                book.waiting.add(block.block_id)
        return book
