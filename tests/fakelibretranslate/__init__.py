"""A fake LibreTranslate server for tests (see server.py): real HTTP, its documented API."""
