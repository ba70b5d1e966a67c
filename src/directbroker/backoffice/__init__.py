"""Back office: the clearing hand-off, books and records, customer documents, the firm's reports.

Everything here is a pure fold of the broker core's journal, or a pure function of such folds
and of the clearing firm's files: nothing reads a core's state, so every record can be rebuilt
from the journal, by ``serve`` as it runs (``app.backoffice_runner``) or by the CLI from a data
directory, and a test can recount it another way (docs/adr/0025).

Owns:
- the books as the back office sees them (:mod:`.books`): accounts, executions, cash
  movements, balances from the postings, marks, each day's close;
- the clearing hand-off: the records that cross it (:mod:`.clearing_records`), their CSV
  layouts (:mod:`.clearing_files`, :mod:`.clearing_fields`), the day's trade and money files
  (:mod:`.trade_file`), the simulated clearing firm and its faults (:mod:`.clearing_firm`),
  the clearing firm's drop copy log and its check (:mod:`.drop_copy_log`,
  :mod:`.drop_copy_check`);
- the reconciliation: breaks (:mod:`.breaks`, :mod:`.recon`), their ageing
  (:mod:`.break_ageing`) and the break report (:mod:`.break_report`);
- books and records: order tickets per Rule 17a-3(a)(6) (:mod:`.order_tickets`,
  :mod:`.ticket_records`, :mod:`.ticket_formats`), the trade blotter (:mod:`.trade_blotter`),
  the day's filed records (:mod:`.records_files`) and the retention policy (:mod:`.retention`);
- customer documents as PDF: confirmations (:mod:`.confirmations`), statements
  (:mod:`.statements`), their page layout (:mod:`.pdf_layout`) and issue
  (:mod:`.customer_documents`);
- reports: the monthly activity report (:mod:`.monthly_activity`, :mod:`.monthly_render`,
  :mod:`.monthly_html`), the customer order flow (:mod:`.order_flow`), the Rule 606(a) order
  routing report (:mod:`.rule606`), Rule 605-style execution quality (:mod:`.rule605`) and
  their calendar periods (:mod:`.periods`).

May import: domain, engines, runtime and protocols.
"""
