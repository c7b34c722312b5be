"""A fake Telegram Bot API server for tests: validates every call against api.json."""
