"""Unit tests of bot/engine."""
