"""The translation adapter: a machine translation provider over HTTP, behind
`bot.forwarding.translations.MachineTranslator`. One module per provider; only
LibreTranslate for now (libretranslate.py).

May import: dialogue and everything below it, aiohttp. Never telegram, web, app or cli.
"""
