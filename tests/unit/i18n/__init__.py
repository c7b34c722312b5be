"""Unit tests of bot/i18n."""
