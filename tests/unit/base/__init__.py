"""Unit tests of bot/base."""
