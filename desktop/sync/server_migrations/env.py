"""Alembic environment of the server schema: run on the connection `init_server` hands over."""

from alembic import context

from desktop.sync.server_schema import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
