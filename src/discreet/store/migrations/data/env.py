"""Alembic environment of the data store; the logic lives in discreet.store.migrate."""

from alembic import context

from discreet.store.migrate import run_env

run_env(context, "data")
