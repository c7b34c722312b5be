"""The staff web dashboard: login, submissions, export, statistics, flows, web simulator.

`create_web_app` builds an aiohttp Application that the bot's main web app mounts
(see app.py). Pages are server-rendered Jinja2 (autoescaped) and need no JavaScript.
"""
from bot.web.app import create_web_app

__all__ = ["create_web_app"]
