"""Back office: accounts, statements, confirms, clearing files, reconciliation, reports.

Owns (so far): the routing reports, folded from the broker core's journal: the customer order
flow (:mod:`.order_flow`), the Rule 606(a) order routing report (:mod:`.rule606`), Rule
605-style execution quality (:mod:`.rule605`) and their calendar periods (:mod:`.periods`).
May import: domain, engines, runtime and protocols.
"""
