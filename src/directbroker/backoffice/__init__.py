"""Back office: accounts, statements, confirms, clearing files, reconciliation, reports.

May import: domain, engines, runtime and protocols.
"""
