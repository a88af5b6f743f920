"""Promptster's candidate CLI: starts a session from a key, records how the candidate works with their
AI tools, and hands the work in."""

__version__ = "0.1.0"
