"""Use cases. Each public function owns its transaction and takes a `ServiceContext`."""

from courses.services.context import ServiceContext

__all__ = ["ServiceContext"]
