"""Settings from the environment (and an optional `.env`), with their defaults.

Every setting is documented in the README; keep the two in step.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

LANGUAGES = ["sv", "en", "ar", "fa_AF", "ps", "so", "ti", "uk"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None  # public URL Telegram posts to; webhook mode when set
    webhook_secret: SecretStr | None = None  # X-Telegram-Bot-Api-Secret-Token; generated when unset
    poll_timeout: int = 30  # getUpdates long-poll seconds

    # Web app (webhook endpoint, dashboard, simulator, /healthz, /metrics)
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_secure_cookies: bool = False  # always mark dashboard cookies Secure (behind an https proxy)

    # Storage
    database_url: str = "sqlite+aiosqlite:///./var/sammanbot.db"
    var_dir: Path = Path("var")

    # Content
    flows_dir: Path = Path("flows")
    locales_dir: Path = Path("locales")
    languages: list[str] = Field(default_factory=lambda: list(LANGUAGES))
    default_language: str = "sv"
    language_names: dict[str, str] = Field(default_factory=lambda: {"fa_AF": "دری"})
    show_fuzzy: bool = True

    # Staff
    staff_chat_id: int | None = None
    safeguarding_chat_id: int | None = None
    forward_webhook_url: str | None = None
    forward_webhook_secret: SecretStr | None = None
    forward_abandoned: bool = False

    # Privacy
    pseudonym_key: SecretStr | None = None  # generated once into var/ when unset
    raw_retention_days: int = 30
    erase_submissions: bool = False  # on /delete: delete (True) or unlink (False) submissions
    safe_word: str | None = None

    # Sending limits (Telegram's, roughly)
    rate_global_per_s: float = 30.0
    rate_per_chat_per_s: float = 1.0
    rate_per_chat_burst: int = 3
    rate_group_per_min: float = 20.0

    # Logging
    log_level: str = "INFO"
    log_format: str = "text"  # text | json

    # Floods: more messages a minute than this from one chat (while answers to it still
    # wait) are handled, but answered together (bot/telegram/flood.py); 0: no limit
    flood_per_min: int = Field(default=20, ge=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
