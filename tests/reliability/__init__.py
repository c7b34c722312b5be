"""Reliability and scale-out: the bot proven under faults, load and bad input.

`helpers.py` holds what the tests share (figures, a load balancer, a private
PostgreSQL, a multi-process deployment); each test prints its figures.
"""
