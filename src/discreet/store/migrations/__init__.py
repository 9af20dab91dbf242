"""Alembic migration scripts of the data store (``data/``) and the key store (``keys/``)."""
