"""Decisions, as pure functions of (profile, host facts, options): no I/O here."""
