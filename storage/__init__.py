"""Storage: SQLAlchemy 2 async models, engine set-up, repositories and Alembic migrations.

Repository modules (inbox, outbox, participants, sessions, answers, submissions,
leases) take an `AsyncSession` and never commit: the caller owns the transaction.

The one package that touches the ORM. May import: bot.base (settings) and SQLAlchemy,
Alembic; nothing else of bot.
"""
