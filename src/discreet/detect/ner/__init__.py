"""Pluggable statistical NER backends."""
