from tests.export.conftest import shop

__all__ = ["shop"]
