"""Unit tier: the pure packages tested in-process, with no bot, database server or subprocess.

One folder per package of bot/ (tests/unit/engine tests bot/engine, ...); `make test-fast`
runs this tier alone.
"""
