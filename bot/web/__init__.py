"""The staff web dashboard: login, submissions, export, statistics, flows, web simulator.

`bot.web.app.create_web_app` builds the dashboard's aiohttp Application, which the
bot's main web app mounts. Pages are server-rendered Jinja2 (autoescaped) and need
no JavaScript. Importing this package loads nothing else, so sibling modules (the
webhook endpoint, health, metrics) stay light.

May import: dialogue (the web simulator runs the same turn as Telegram; Services) and
everything below it, aiohttp and jinja2. Never telegram, app or cli.
"""
