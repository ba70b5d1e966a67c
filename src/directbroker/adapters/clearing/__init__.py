"""The clearing hand-off on disk: the file drop the firm and its clearing firm exchange.

Owns the directory ``<data dir>/backoffice/clearing/``: the firm's outbound trade and money
files, the clearing firm's inbound activity, position and balance files, one folder per
business day, each file written atomically (:mod:`.drop`); the faults the simulated clearing
firm was told to make (:mod:`.faults`); and a clearing firm's run over one day
(:mod:`.run`). The layouts and the clearing firm itself are the back office's
(:mod:`directbroker.backoffice.clearing_files`, :mod:`directbroker.backoffice.clearing_firm`).
May import: domain, engines, protocols, runtime, backoffice and the other adapters.
"""
