"""The ground floor: settings, logging, metrics, problems (`file:line:col`), safe YAML,
small async helpers, the memory cap and the flows folder's seeding.

May import: the standard library and third-party packages only; nothing of `bot` outside
`bot.base`, nor `storage` (every other package stands on this one).
"""
