"""The one place the version lives (read by pyproject.toml and build.spec)."""

__version__ = "0.1.0"
