"""Registration service for staff trainings in Swedish addiction care."""

__all__ = ["__version__"]

__version__ = "0.1.0"
