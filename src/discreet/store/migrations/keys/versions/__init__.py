"""Alembic scripts (a package so type checkers see unique module names)."""
