"""For the `piccolo` CLI run from the project root; the app itself uses server.database."""

from server.database import APP_REGISTRY, DB

__all__ = ["APP_REGISTRY", "DB"]
