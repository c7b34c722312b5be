"""Settings from the environment (and an optional `.env`), with their defaults.

Every setting is documented in the README; keep the two in step.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import Field, IPvAnyNetwork, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.base.staffed_hours import StaffedHours, parse_hours

LANGUAGES = ["sv", "en", "ar", "fa_AF", "ps", "so", "ti", "uk"]
# 112 emergency, 116 111 BRIS, 90101 Mind (suicide line), 1177 health care advice,
# 114 14 the police (not urgent), 113 13 information in a serious crisis.
PUBLIC_NUMBERS = ("112", "116 111", "90101", "1177", "114 14", "113 13")

# URL schemes people write (Heroku, libpq, docs) -> the async drivers the bot uses.
ASYNC_SCHEMES = {"postgres": "postgresql+asyncpg", "postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
# What BotFather hands out: the bot's numeric id, a colon, 35 URL-safe characters.
TOKEN_FORM = re.compile(r"[0-9]+:[A-Za-z0-9_-]{30,}")


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
    show_fuzzy: bool = True  # show drafts (texts not yet reviewed); false: the fallback chain instead
    # Per language, what replaces its drafts: '{"ti": "en"}' (every unreviewed text in
    # English), '{"ps": "sv:critical"}' (only the safety-critical ones, bot/i18n/critical.py)
    unreviewed_fallback: dict[str, str] = Field(default_factory=dict)

    # Staff
    staff_chat_id: int | None = None
    safeguarding_chat_id: int | None = None
    urgent_realert_minutes: int = Field(default=10, gt=0)  # an unclaimed urgent card is re-alerted once after this
    escalation_chat_id: int | None = None  # a second chat told of an unclaimed urgent card (at once out of hours)
    escalation_webhook: bool = False  # and/or the signed webhook (FORWARD_WEBHOOK_URL): event "urgent.unclaimed"
    forward_webhook_url: str | None = None
    forward_webhook_secret: SecretStr | None = None
    forward_abandoned: bool = False

    # When a person from the team reads messages (what youth are told; docs/handoff.md)
    staffed_hours: str = "mon-fri 09:00-17:00"  # e.g. "mon-fri 09:00-17:00; sat 10:00-14:00"; empty: no set times
    staffed_time_zone: str = "Europe/Stockholm"
    staffed_closed_dates: list[date] = Field(default_factory=list)  # e.g. '["2026-12-24", "2026-12-25"]'
    staffed_answer_minutes: int = Field(default=60, gt=0)  # inside the hours, youth are told "within …"

    # Machine translation of what reaches the team (a LibreTranslate server; unset: none,
    # only people translate). Only anonymised text is sent.
    translate_url: str | None = None
    translate_api_key: SecretStr | None = None
    translate_target: str = "sv"
    translate_second_target: str | None = None  # e.g. "en": a second translation beside the first
    translate_timeout: float = Field(default=20.0, gt=0)  # seconds for one request
    # Languages the team reads: follow-up questions to youth writing one of them are not translated
    translate_team_languages: list[str] = Field(default_factory=lambda: ["sv", "en"])

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

    # Public helplines and service numbers the anonymiser keeps (not personal data)
    public_numbers: list[str] = Field(default_factory=lambda: list(PUBLIC_NUMBERS))
    # Reverse proxies in front of the web app whose X-Forwarded-For is believed: addresses
    # or networks, e.g. '["10.0.0.0/8", "127.0.0.1"]'. Empty: the peer is the client.
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list)

    # Flows on a writable volume: the shipped flows that fill an empty FLOWS_DIR at start
    # (and whose crisis word list always replaces FLOWS_DIR's); unset, FLOWS_DIR is used as is.
    flows_seed_dir: Path | None = None

    # Floods: more messages a minute than this from one chat (while answers to it still
    # wait) are handled, but answered together (bot/telegram/flood.py); 0: no limit
    flood_per_min: int = Field(default=20, ge=0)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_as_pasted(cls, token: SecretStr | None) -> SecretStr | None:
        """Spaces around a pasted token are dropped; an empty one counts as unset."""
        value = token.get_secret_value().strip() if token is not None else ""
        return SecretStr(value) if value else None

    @field_validator("translate_url", "translate_second_target")
    @classmethod
    def _empty_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def translate_targets(self) -> list[str]:
        """The languages each submission is translated into, first the main one."""
        second = self.translate_second_target
        return [self.translate_target] + ([second] if second and second != self.translate_target else [])

    @field_validator("unreviewed_fallback")
    @classmethod
    def _fallback_form(cls, value: dict[str, str]) -> dict[str, str]:
        for lang, fallback in value.items():
            language, _, scope = fallback.partition(":")
            if not language or language == lang or scope not in ("", "critical"):
                raise ValueError(
                    f"{lang}: {fallback!r} should be another language's code, optionally followed by ':critical'"
                )
        return value

    @field_validator("staffed_hours")
    @classmethod
    def _hours_readable(cls, value: str) -> str:
        parse_hours(value)  # raises what is wrong
        return value

    @field_validator("staffed_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a time zone name like Europe/Stockholm") from None
        return value

    @property
    def staffed(self) -> StaffedHours:
        """The team's staffed hours, closed dates taken out."""
        return StaffedHours(
            parse_hours(self.staffed_hours), ZoneInfo(self.staffed_time_zone), frozenset(self.staffed_closed_dates)
        )

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        return async_database_url(url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def async_database_url(url: str) -> str:
    """`postgres://…` and `postgresql://…` as `postgresql+asyncpg://…` (libpq's `sslmode=` as
    asyncpg's `ssl=`), `sqlite://…` as `sqlite+aiosqlite://…`; any other URL unchanged."""
    scheme, sep, rest = url.partition("://")
    driver = ASYNC_SCHEMES.get(scheme.lower()) if sep else None
    if driver is None:
        return url
    if driver == "postgresql+asyncpg":
        rest = re.sub(r"([?&])sslmode=", r"\1ssl=", rest)
    return f"{driver}://{rest}"


def token_problem(token: SecretStr | None) -> str | None:
    """Why TELEGRAM_BOT_TOKEN cannot be a bot token (None when it can, or is unset).
    The token itself is never part of the answer."""
    if token is None or TOKEN_FORM.fullmatch(token.get_secret_value()):
        return None
    return (
        "TELEGRAM_BOT_TOKEN is not a Telegram bot token (those look like 123456789:AAH…: digits, a colon, "
        "35 letters, digits, - or _). Fix: get one from @BotFather in Telegram (/newbot, or /mybots → API "
        "Token; README: Getting a bot token), or unset it to run only the simulator and the dashboard."
    )


def settings_problems(exc: ValidationError) -> list[str]:
    """`NAME: what is wrong`, one per unreadable setting (values are not repeated: they may be secrets)."""
    return [
        f"{'_'.join(str(part) for part in error['loc']).upper() or 'settings'}: {error['msg']}"
        for error in exc.errors()
    ]
