"""The process: building the Services (services.py), `run` (run.py: storage, the Telegram
adapter and the web server started and stopped together, signals), N supervised worker
processes (workers.py) and hot reload of flows, catalogs and crisis words (reload.py).

May import: the adapters (telegram, web) and everything below them. Only cli imports it.
"""
