"""Plain-Python domain: fiscal years, numbers, progress arithmetic and plan value objects.

Nothing here imports Qt or SQLAlchemy (enforced by import-linter, see pyproject.toml).
"""
