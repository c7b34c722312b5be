"""Unit tests of bot/dialogue."""
