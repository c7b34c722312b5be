"""`python -m bot …`: argument parsing (main.py) and the commands that are only commands:
doctor, export, flows check, chat, staff, anonymize, demo, and the Babel extractor.

May import: everything below it (app, adapters, dialogue, …, storage, base). Nothing
imports `bot.cli` but `bot.__main__` and Babel's entry point.
"""
