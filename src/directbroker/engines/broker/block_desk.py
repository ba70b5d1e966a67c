"""The block desk of the broker core: account groups as staff facts, block orders placed as one
parent in the average-price account, and their allocation into each account's books.

Stages of a new block (the first refusal wins and leaves no trace but a ``BlockRejected``):

1. field checks and the group (it must exist; its members now are the block's accounts);
2. the allocation instruction, if one came with the order (weights line up with the accounts);
3. the parent as an order: OMS field validation, id uniqueness, the trading day;
4. pre-trade risk on the whole block (:meth:`RiskEngine.check_block`: kill switch,
   restricted list, market, firm size limits, collar), then on each account's share as if the
   account had placed it (funds, position for a sale, the account's own limits);
5. the routing plan; then the average-price account is opened if this is the firm's first
   block, and the OMS takes the parent.

The parent's fills post to the average-price account as they come (its books show the street's
trade at once); when the parent is done the fills are allocated by the instruction (or wait for
one) and each share is booked: see :mod:`directbroker.engines.broker.blocks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from directbroker.domain.accounts import AccountStatus, AccountType, Registration
from directbroker.domain.block_messages import (
    AVERAGE_PRICE_ACCOUNT,
    STEP_OUT_PREFIX,
    BlockAllocationInstructed,
    BlockFinished,
    BlockOrderPlaced,
    BlockRejected,
    InstructBlockAllocation,
    PlaceBlockOrder,
)
from directbroker.domain.broker_messages import BrokerCommandRejected, PlaceOrder
from directbroker.domain.ledger_messages import LedgerRejected, OpenAccount, RecordExecution
from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import (
    AllocationMethod,
    BlockAllocated,
    ChangeAccountGroup,
    CreateAccountGroup,
    PortfolioRejected,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker.blocks import (
    Block,
    BlockBook,
    Instruction,
    Refusal,
    check_place,
    instruct_refusal,
    instruction,
    opposite,
    split,
    step_outs,
)
from directbroker.engines.broker.exposure import account_facts, held_ticket
from directbroker.engines.broker.step_outs import book_step_outs, step_out_refusal
from directbroker.engines.oms import Parent
from directbroker.engines.oms import check_place as check_order
from directbroker.engines.portfolio import AllocationError, PortfolioCore, allocate_block
from directbroker.engines.risk import OrderTicket

if TYPE_CHECKING:
    from directbroker.engines.broker.core import BrokerCore


@dataclass(frozen=True, slots=True)
class _Placed:
    """A block that passed every check: what the OMS takes, and each account's share."""

    block: Block
    parents: list[Parent]
    plan: Any
    shares: list[int]


class BlockBooksError(Exception):
    """The ledger refused an allocation the desk had checked: the core's state is impossible."""


class BlockDesk:
    """Groups and blocks, part of the broker core's state and snapshot."""

    def __init__(self, core: BrokerCore) -> None:
        self._core = core
        self.groups = PortfolioCore()
        self.book = BlockBook()

    def handlers(self) -> dict[type[Message], Any]:
        """The inputs the desk takes."""
        return {
            CreateAccountGroup: self._group,
            ChangeAccountGroup: self._group,
            PlaceBlockOrder: self._place,
            InstructBlockAllocation: self._instruct,
        }

    # --- groups --------------------------------------------------------------------------

    def _group(self, cmd: CreateAccountGroup | ChangeAccountGroup, ts: int) -> list[Event]:
        name = type(cmd).__name__
        group = str(cmd.group)[:64]
        actor: object = cmd.actor
        if type(actor) is not str or not 0 < len(actor) <= 128:
            return [BrokerCommandRejected(name, group, RejectCode.ACTOR_REQUIRED,
                                          "Name who changes the group", ts)]  # fmt: skip
        members = cmd.accounts if type(cmd.accounts) is tuple else ()
        ledger = self._core.ledger
        for account in members:
            if type(account) is str and (
                account == AVERAGE_PRICE_ACCOUNT
                or account.startswith(STEP_OUT_PREFIX)
                or not ledger.has_account(account)
            ):
                return [BrokerCommandRejected(name, group, RejectCode.UNKNOWN_ACCOUNT,
                                              f"Unknown account {account[:64]!r}", ts)]  # fmt: skip
        events = self.groups.handle(cmd, ts)
        return [
            BrokerCommandRejected(name, group, e.code, e.detail, ts)
            if isinstance(e, PortfolioRejected)
            else e
            for e in events
        ]

    # --- placing -------------------------------------------------------------------------

    def _place(self, cmd: PlaceBlockOrder, ts: int) -> list[Event]:
        core = self._core
        placed = self._check(cmd, ts)
        if not isinstance(placed, _Placed):
            return [_rejected(cmd, placed, ts)]
        block, parents, plan, shares = placed.block, placed.parents, placed.plan, placed.shares
        out: list[Event] = []
        if not core.ledger.has_account(AVERAGE_PRICE_ACCOUNT):
            opening = OpenAccount(
                AVERAGE_PRICE_ACCOUNT, "firm", AccountType.MARGIN, Registration.AVERAGE_PRICE
            )
            out.extend(core.ledger.handle(opening, ts))
        self.book.add(block)
        out.append(
            BlockOrderPlaced(
                block.block_id, cmd.client_order_id, block.group, block.accounts, tuple(shares),
                AVERAGE_PRICE_ACCOUNT, block.symbol, block.side, block.quantity,
                block.method.value if block.method is not None else "", block.weights,
                block.actor, ts, block.step_out_brokers, block.step_out_quantities,
            )
        )  # fmt: skip
        out.extend(core.oms.place(parents, plan, ts))
        return out

    def _check(self, cmd: PlaceBlockOrder, ts: int) -> _Placed | Refusal:
        core = self._core
        refusal = check_place(cmd, lambda order_id: order_id in core.oms.book.parents)
        if refusal is not None:
            return refusal
        group = self.groups.group(cmd.group)
        if group is None:
            return RejectCode.UNKNOWN_GROUP, f"Unknown account group {cmd.group!r}"
        method: AllocationMethod | None = None
        weights: tuple[int, ...] = ()
        whole = cmd.quantity if type(cmd.quantity) is int else 0
        stepped = step_outs(cmd.step_out_brokers, cmd.step_out_quantities, whole)
        if not isinstance(stepped, Instruction):
            return stepped
        rest = whole - sum(stepped.step_out_quantities)
        if cmd.method is not None or cmd.accounts or cmd.quantities:
            given = cmd.method if cmd.method is not None else AllocationMethod.SHARES
            answer = instruction(
                group.accounts, given, cmd.weights, cmd.accounts, cmd.quantities, rest
            )
            if not isinstance(answer, Instruction):
                return answer
            if cmd.quantities and not rest:
                return RejectCode.INVALID_ALLOCATION, "The step-outs take the whole block"
            method, weights = answer.method, answer.weights
        elif stepped.step_out_brokers:
            text = "Step-outs are part of an allocation instruction: give the method too"
            return RejectCode.INVALID_STEP_OUT, text
        order = PlaceOrder(
            cmd.block_id, cmd.client_order_id, AVERAGE_PRICE_ACCOUNT, cmd.symbol, cmd.side,
            cmd.order_type, cmd.quantity, cmd.limit_price, time_in_force=cmd.time_in_force,
            route=cmd.route, entered_by=cmd.actor,
        )  # fmt: skip
        refusal = check_order(order) or core.oms.check_new(order) or core.accepting(order)
        if refusal is not None:
            return refusal
        block = Block(cmd.block_id, group.group, group.accounts, cmd.symbol, cmd.side,
                      cmd.quantity, cmd.actor, ts, method, weights,
                      step_out_brokers=stepped.step_out_brokers,
                      step_out_quantities=stepped.step_out_quantities)  # fmt: skip
        market = core.market.facts(cmd.symbol)
        ticket = OrderTicket(AVERAGE_PRICE_ACCOUNT, cmd.symbol, cmd.side, cmd.order_type,
                             cmd.quantity, cmd.limit_price, None)  # fmt: skip
        verdict = core.risk.check_block(ticket, market)
        if isinstance(verdict, tuple):
            return verdict
        # Each account's share is checked as its part of what the step-outs leave.
        shares = self._shares(block, rest)
        if isinstance(shares, tuple):
            return shares
        prices: list[int] = []
        for account, share in zip(block.accounts, shares, strict=True):
            verdict = self._check_share(account, share, cmd, ts)
            if isinstance(verdict, tuple):
                return verdict
            prices.append(verdict)
        # While the block works, each share holds the buying power it was checked against.
        block.shares, block.reserve_prices = tuple(shares), tuple(prices)
        parents = core.oms.build(order, 0, market.last)
        parents[0].reserve_price = verdict
        if not core.routes_now(order):
            return _Placed(block, parents, [], shares)
        plan = core.oms.route_first(parents, ts)
        if isinstance(plan, tuple):
            return plan
        return _Placed(block, parents, plan, shares)

    def _shares(self, block: Block, quantity: int) -> list[int] | Refusal:
        return split(block.accounts, block.method, block.weights, quantity, self._equity)

    def _equity(self, account: str) -> int:
        ledger = self._core.ledger
        return ledger.account_values(account).equity if ledger.has_account(account) else 0

    def _check_share(
        self, account: str, share: int, cmd: PlaceBlockOrder, ts: int
    ) -> Refusal | int:
        """Risk on one account's share, as if the account had placed it itself (its other
        blocks' shares reserve their buying power too); the price per share to reserve at."""
        if not share:
            return 0
        core = self._core
        values = core.account_values(account)
        if isinstance(values, tuple):
            return values
        facts = account_facts(core.ledger, core.risk, values, cmd.symbol,
                              core.oms.book.open_orders(account),
                              blocks_reserved=self.reserved(account))  # fmt: skip
        ticket = OrderTicket(account, cmd.symbol, cmd.side, cmd.order_type, share,
                             cmd.limit_price, None)  # fmt: skip
        verdict = core.risk.check(ticket, facts, core.market.facts(cmd.symbol), ts)
        if isinstance(verdict, tuple):
            return verdict[0], f"Account {account}'s share of {share}: {verdict[1]}"
        return verdict

    def admit_held(self, parent: Parent) -> Refusal | int:
        """The whole-block checks again for a parent the broker held until its session."""
        market = self._core.market.facts(parent.symbol)
        return self._core.risk.check_block(held_ticket(parent), market)

    # --- fills and allocation --------------------------------------------------------------

    def on_fill(self, order_id: str, quantity: int, price: int) -> None:
        """A fill of a parent in the average-price account."""
        block = self.book.blocks.get(order_id)
        if block is not None:
            block.fill_quantities.append(quantity)
            block.fill_prices.append(price)

    def settle(self, ts: int) -> list[Event]:
        """Allocate (or finish) every waiting block whose parent is done."""
        out: list[Event] = []
        oms = self._core.oms
        for block_id in sorted(self.book.waiting):
            parent = oms.order(block_id)
            if parent is None or not parent.status.is_terminal:
                continue
            self.book.waiting.discard(block_id)
            block = self.book.blocks[block_id]
            if not block.filled:
                self.book.finish(block)
                out.append(BlockFinished(block_id, 0, 0, ts))
            elif block.method is not None:
                out.extend(self.allocate(block, ts))
        return out

    def _instruct(self, cmd: InstructBlockAllocation, ts: int) -> list[Event]:
        block = self.book.get(cmd.block_id)
        refusal = instruct_refusal(cmd, block)
        answer: Instruction | Refusal | None = None
        if refusal is None and block is not None:
            answer = step_outs(cmd.step_out_brokers, cmd.step_out_quantities, block.quantity)
            if isinstance(answer, Instruction):
                stepped = answer
                answer = instruction(block.accounts, cmd.method, cmd.weights, cmd.accounts,
                                     cmd.quantities, 0)  # fmt: skip
        if block is None or not isinstance(answer, Instruction):
            why = refusal or answer or (RejectCode.UNKNOWN_BLOCK, "No such block")
            assert isinstance(why, tuple)
            group = block.group if block is not None else ""
            return [BlockRejected(type(cmd).__name__, str(cmd.block_id)[:64], group,
                                  why[0], why[1], ts)]  # fmt: skip
        block.method, block.weights = answer.method, answer.weights
        block.step_out_brokers = stepped.step_out_brokers
        block.step_out_quantities = stepped.step_out_quantities
        out: list[Event] = [
            BlockAllocationInstructed(block.block_id, cmd.method, block.weights, cmd.actor, ts,
                                      block.step_out_brokers, block.step_out_quantities)
        ]  # fmt: skip
        parent = self._core.oms.order(block.block_id)
        if block.block_id not in self.book.waiting and parent is not None:
            out.extend(self.allocate(block, ts))
        return out

    def allocate(self, block: Block, ts: int) -> list[Event]:
        """Split the fills and book each share; a refusal leaves the block waiting for a new
        instruction and changes nothing."""
        method = block.method
        assert method is not None
        weights: tuple[int, ...] = block.weights
        if method is AllocationMethod.NET_LIQUIDATION:
            weights = tuple(max(0, self._equity(a)) for a in block.accounts)
        try:
            average, residual, quantities, stepped = allocate_block(
                method, len(block.accounts), weights, block.fill_quantities, block.fill_prices,
                block.quantity, block.step_out_quantities,
            )  # fmt: skip
        except AllocationError as exc:
            return [self._refused(block, (exc.code, exc.detail), ts)]
        refusal = self._bookable(block, quantities) or step_out_refusal(
            self._core.ledger, block.step_out_brokers
        )
        if refusal is not None:
            return [self._refused(block, refusal, ts)]
        core = self._core
        out: list[Event] = [
            BlockAllocated(block.block_id, block.group, block.symbol, block.side, method,
                           average, block.accounts, tuple(quantities), residual, ts,
                           block.step_out_brokers, tuple(stepped))
        ]  # fmt: skip
        out.extend(book_step_outs(core.ledger, block, average, stepped, core.date, ts,
                                  _books_refused))  # fmt: skip
        for index, (account, quantity) in enumerate(zip(block.accounts, quantities, strict=True)):
            if not quantity:
                continue
            give = RecordExecution(AVERAGE_PRICE_ACCOUNT, f"{block.block_id}.x{index}",
                                   block.symbol, opposite(block.side), quantity, average, core.date,
                                   block.block_id)  # fmt: skip
            given = core.ledger.handle(give, ts)
            if any(type(e) is LedgerRejected for e in given):
                raise BlockBooksError(f"the books refused an allocation: {given!r}")
            out.extend(given)
            take = f"{block.block_id}.a{index}"
            out.extend(
                core.book_execution(
                    account, take, block.symbol, block.side, quantity, average, block.block_id, ts
                )
            )
        block.allocated = sum(quantities) + sum(stepped)
        self.book.finish(block)
        out.append(BlockFinished(block.block_id, block.filled, block.allocated, ts))
        return out

    def _bookable(self, block: Block, quantities: list[int]) -> Refusal | None:
        ledger = self._core.ledger
        for account, quantity in zip(block.accounts, quantities, strict=True):
            if not quantity:
                continue
            if not ledger.has_account(account):
                return RejectCode.UNKNOWN_ACCOUNT, f"Unknown account {account!r}"
            if ledger.account_values(account).status is AccountStatus.CLOSED:
                return RejectCode.ACCOUNT_CLOSED, f"Account {account} is closed"
            view = ledger.position(account, block.symbol)
            held = view.quantity if view is not None else 0
            if block.side is Side.SELL and held < quantity:
                text = f"Account {account} holds {held} {block.symbol}, its share is {quantity}"
                return RejectCode.INSUFFICIENT_POSITION, text
        return None

    def _refused(self, block: Block, refusal: Refusal, ts: int) -> BlockRejected:
        return BlockRejected("AllocateBlock", block.block_id, block.group, *refusal, ts)

    # --- snapshot ----------------------------------------------------------------------------

    def to_plain(self) -> list[Any]:
        # Which blocks still wait for their parent is state too: it decides what a share
        # reserves (all of it, or its part of the fills), so a restored core must know it.
        return [self.book.to_plain(), self.groups.snapshot(), sorted(self.book.waiting)]

    def restore(self, plain: list[Any]) -> None:
        self.book = BlockBook.from_plain(plain[0])
        if len(plain) > 2:
            self.book.waiting = set(plain[2]) & self.book.unfinished
        self.groups = PortfolioCore()
        self.groups.restore(plain[1])

    def reserved(self, account: str) -> int:
        """Buying power the account's shares of unfinished blocks hold (risk counts it as
        working orders' reservations are counted)."""
        return self.book.reserved(account) if self.book.unfinished else 0


def _books_refused(events: list[Event]) -> None:
    raise BlockBooksError(f"the books refused a give-up: {events!r}")


def _rejected(cmd: PlaceBlockOrder, refusal: Refusal, ts: int) -> BlockRejected:
    block_id: object = cmd.block_id
    group: object = cmd.group
    return BlockRejected(
        type(cmd).__name__,
        block_id[:64] if type(block_id) is str else repr(block_id)[:64],
        group[:64] if type(group) is str else repr(group)[:64],
        refusal[0],
        refusal[1],
        ts,
    )
