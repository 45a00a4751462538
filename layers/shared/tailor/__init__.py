"""Tailor: tailored operational emails for online shops (the shared Lambda layer)."""
