"""Unit tests of bot/privacy."""
