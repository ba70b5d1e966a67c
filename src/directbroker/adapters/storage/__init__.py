"""Durable storage for the runtime's ports: journals and snapshot stores on SQLite and PostgreSQL.

Owns: table layouts, schema migrations, and the SQL that makes a batch one durable commit.
May import: ``directbroker.runtime`` (the ports it implements), ``sqlite3``, ``psycopg`` and
``msgpack`` (the SQLite journal packs each batch into frames).

Import the backend you use from its module (``directbroker.adapters.storage.sqlite`` or
``.postgres``): nothing is re-exported here, so an embedded process never pays for importing
the PostgreSQL driver.
"""
