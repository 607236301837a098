from .backend import OpenSearchBackend

__all__ = ["OpenSearchBackend"]
