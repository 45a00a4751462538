"""Tailor's tests, a package so that their helpers import by name (`tests.helpers.mail`).

Fixtures live in conftest.py files (tests/conftest.py for all, and one per directory that
needs its own `template`); plain functions and classes the tests share live in
`tests.helpers`.
"""
