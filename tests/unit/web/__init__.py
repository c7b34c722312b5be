"""Unit tests of bot/web."""
