"""Alembic's environment for the warehouse: always run on a connection the caller opened (its
transaction held, its advisory lock taken), never from a URL of its own."""

from alembic import context

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=True,
                  version_table="alembic_version")
with context.begin_transaction():
    context.run_migrations()
