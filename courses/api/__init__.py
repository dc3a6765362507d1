"""HTTP: the only package that knows Litestar."""

from courses.api.app import create_app

__all__ = ["create_app"]
