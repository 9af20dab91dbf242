"""discreet: a self-hosted privacy layer between AI assistants and customer data."""

__version__ = "0.1.0"
