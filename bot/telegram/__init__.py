"""Telegram adapter: updates -> inbox -> engine; outbox -> Bot API."""
