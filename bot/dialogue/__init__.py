"""A youth's conversation, front-end neutral: what an input does (youth.py: safe word and
crisis words first, follow-ups, commands, the engine), the participant and engine session
of one update (conversation.py) and the dialogue's own state stored beside it (state.py),
rendering engine events into messages (render.py, outgoing.py), storing a finished flow
and queueing its deliveries (forward.py), the crisis help, follow-up answers and the
youth's own data, the simulated youth of both simulators, and the Services a process
hands its adapters (services.py).

It returns what to send, as outbox rows; how that reaches a person is the adapter's.
May import: forwarding, engine, privacy, safeguarding, i18n, storage, base. Never an
adapter (telegram, web), the process (app) or cli, and no python-telegram-bot or aiohttp.
"""
