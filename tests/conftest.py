"""Fixtures shared by every tier; each concern lives in its own tests/support module."""

pytest_plugins = ["tests.support.database"]
