"""Integration tier: tests that run the bot, a database, HTTP, the fake Bot API or subprocesses."""
