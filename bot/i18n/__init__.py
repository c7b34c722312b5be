"""Languages: Babel catalogs and fallback (catalogs.py), the bot's own strings (texts.py,
replies.py), free-text language detection, and catalog upkeep (`python -m bot i18n`).

May import: `bot.base`. Not the engine: the flows' texts reach the catalogs through the
Babel extractor (`bot.cli.i18n_extract`), which sits above the engine.
"""
