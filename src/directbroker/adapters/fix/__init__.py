"""FIX 4.2/4.4 at the edge: what client order entry and drop copy messages mean to the broker.

Owns: the mapping between FIX application messages (NewOrderSingle, OrderCancelRequest,
OrderCancelReplaceRequest, OrderStatusRequest) and the client API's trading port values
(:mod:`.order_entry`; the shared vocabulary of versions, session terms, refusals and field
parsing is :mod:`.terms`), and the ExecutionReports, OrderCancelRejects and
BusinessMessageRejects the broker answers with (:mod:`.reports`). All are pure functions of
their inputs: no socket, no clock, no id generator.
May import: ``directbroker.domain``, ``directbroker.protocols.fix`` (the message and effects
contract) and the client API's port values in ``directbroker.adapters.http.ports``.
"""
