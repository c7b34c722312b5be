"""Forwarding: anonymised submissions to the team (staff chat card, signed webhook)."""
