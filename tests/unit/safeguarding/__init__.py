"""Unit tests of bot/safeguarding."""
