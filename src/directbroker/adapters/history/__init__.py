"""The historical market data service: storage, queries, export, import and replay.

Owns: the history database (SQLite by default, PostgreSQL in production) with its migrated
schema; trades, NBBO quotes and bars recorded as the market data engine emits them; range
queries with keyset paging; CSV and Parquet export; import of CSV bars and NASDAQ
TotalView-ITCH 5.0 files; and replay of a stored range as a stream.
May import: ``directbroker.domain``, ``directbroker.engines`` (the market data engine, to turn
imported order-level feeds into consolidated history), ``directbroker.protocols`` (ITCH),
sqlite3, psycopg and pyarrow.
"""

from directbroker.adapters.history.export import export_csv, export_parquet
from directbroker.adapters.history.importers import (
    HistoryImportError,
    ImportSummary,
    import_bars_csv,
    import_itch,
)
from directbroker.adapters.history.store import (
    HistoryStore,
    Page,
    SqlHistoryStore,
    open_postgres,
    open_sqlite,
)

__all__ = [
    "HistoryImportError",
    "HistoryStore",
    "ImportSummary",
    "Page",
    "SqlHistoryStore",
    "export_csv",
    "export_parquet",
    "import_bars_csv",
    "import_itch",
    "open_postgres",
    "open_sqlite",
]
