"""The Bot API specification (api.json), loaded once, and validation of calls against it.

`validate_call` checks a method's parameters (names, required ones, types, the
JSON-serialised objects inside them, recursively) and returns them decoded:
integers as int, booleans as bool, objects as dicts, uploads as `Upload`.
Form-encoded values arrive as strings (python-telegram-bot sends form data with
objects JSON-encoded); JSON bodies carry native values.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from .errors import ApiError, bad_request

# The project's own copy (see SPEC.md beside it); TELEGRAM_API_SPEC may point at another.
_SPEC = Path(__file__).resolve().parent / "api.json"
_DISCRIMINATOR = re.compile(r'(?:always|must be)\s+"?([a-z_]+)"?')
_INT = re.compile(r"-?\d+")
# Exactly one of these must be set on an InlineKeyboardButton (besides text, style, icon).
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass(frozen=True)
class Upload:
    """A file sent with multipart/form-data."""

    filename: str
    content_type: str
    data: bytes


def spec_path() -> Path:
    env = os.environ.get("TELEGRAM_API_SPEC")
    if env:
        return Path(env)
    return _SPEC


class ApiSpec:
    """Methods and types of the Bot API, with validators."""

    def __init__(self, raw: dict[str, Any]):
        self.version: str = raw.get("version", "")
        self.methods: dict[str, dict[str, Any]] = raw["methods"]
        self.types: dict[str, dict[str, Any]] = raw["types"]
        self._fields = {
            name: {f["name"]: f for f in entry.get("fields", [])}
            for name, entry in {**self.types, **self.methods}.items()
        }
        self._discriminators = {name: self._discriminator_of(name) for name, t in self.types.items() if "fields" in t}

    def _discriminator_of(self, type_name: str) -> tuple[str, str] | None:
        fields = self.types[type_name]["fields"]
        if not fields or fields[0]["name"] not in ("type", "status", "source"):
            return None
        match = _DISCRIMINATOR.search(fields[0]["description"])
        return (fields[0]["name"], match.group(1)) if match else None

    def fields(self, name: str) -> dict[str, dict[str, Any]]:
        """Fields of a type or parameters of a method, by name."""
        return self._fields[name]

    # -- calls ---------------------------------------------------------------

    def validate_call(
        self, method: str, params: dict[str, Any], uploads: dict[str, Upload] | None = None
    ) -> dict[str, Any]:
        if method not in self.methods:
            raise ApiError(404, "Not Found")
        uploads = uploads or {}
        fields = self.fields(method)
        attached = {f"attach://{name}" for name in uploads}
        for name in params:
            if name not in fields:
                raise bad_request(f'unknown parameter "{name}"')
        decoded: dict[str, Any] = {}
        for name, field in fields.items():
            if name in params:
                value = params[name]
                if isinstance(value, str) and value in attached:
                    value = uploads[value.removeprefix("attach://")]
            elif name in uploads:
                value = uploads[name]
            elif field["required"]:
                raise bad_request(f'parameter "{name}" is required')
            else:
                continue
            decoded[name] = self._decode_any(field["types"], value, name)
        return decoded

    # -- values --------------------------------------------------------------

    def _decode_any(self, types: list[str], value: Any, path: str) -> Any:
        errors = []
        for type_name in self._plausible(types, value):
            try:
                return self._decode(type_name, value, path)
            except ApiError as exc:
                errors.append(exc)
        raise errors[0]

    def _plausible(self, types: list[str], value: Any) -> list[str]:
        """Of several object types, those whose fields cover the value's keys (for a precise error)."""
        if len(types) < 2:
            return types
        try:
            parsed = _maybe_json(value, "{")
        except ApiError:
            return types
        if not isinstance(parsed, dict):
            return types
        fitting = [t for t in types if t in self._fields and set(parsed) <= set(self._fields[t])]
        return fitting or types

    def _decode(self, type_name: str, value: Any, path: str) -> Any:
        if type_name.startswith("Array of "):
            value = _maybe_json(value, "[")
            if not isinstance(value, list):
                raise bad_request(f"{path}: expected an Array")
            inner = type_name.removeprefix("Array of ")
            return [self._decode(inner, item, f"{path}[{i}]") for i, item in enumerate(value)]
        if type_name == "Integer":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and _INT.fullmatch(value.strip()):
                return int(value)
            raise bad_request(f"{path}: expected an Integer")
        if type_name == "Float":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            try:
                return float(value) if isinstance(value, str) else _not_a(type_name, path)
            except ValueError:
                _not_a(type_name, path)
        if type_name == "Boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise bad_request(f"{path}: expected a Boolean")
        if type_name == "String":
            if isinstance(value, str):
                return value
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
            raise bad_request(f"{path}: expected a String")
        if type_name == "InputFile":
            if isinstance(value, Upload):
                return value
            raise bad_request(f"{path}: expected an uploaded file")
        if isinstance(value, Upload):
            raise bad_request(f"{path}: a file is not allowed here")
        return self.validate_object(type_name, _maybe_json(value, "{"), path)

    def validate_object(self, type_name: str, value: Any, path: str = "") -> dict[str, Any]:
        """Check a (decoded) object against a type; returns it with its values decoded."""
        label = path or type_name
        entry = self.types.get(type_name)
        if entry is None:
            raise bad_request(f"{label}: unknown type {type_name}")
        if not isinstance(value, dict):
            raise bad_request(f"{label}: expected an object of type {type_name}")
        if "subtypes" in entry:
            return self._validate_union(entry["subtypes"], value, label)
        fields = self.fields(type_name)
        for name in value:
            if name not in fields:
                raise bad_request(f'{label}: unknown field "{name}" in {type_name}')
        decoded: dict[str, Any] = {}
        for name, field in fields.items():
            if name in value:
                decoded[name] = self._decode_any(field["types"], value[name], f"{label}.{name}")
            elif field["required"]:
                raise bad_request(f'{label}: field "{name}" of {type_name} is required')
        discriminator = self._discriminators.get(type_name)
        if discriminator and decoded.get(discriminator[0]) != discriminator[1]:
            raise bad_request(f'{label}.{discriminator[0]} must be "{discriminator[1]}"')
        if type_name == "InlineKeyboardButton":
            _check_inline_button(decoded, label)
        return decoded

    def _validate_union(self, subtypes: list[str], value: dict[str, Any], label: str) -> dict[str, Any]:
        for subtype in subtypes:
            disc = self._discriminators.get(subtype)
            if disc and value.get(disc[0]) == disc[1]:
                return self.validate_object(subtype, value, label)
        # Unions without a discriminator (MaybeInaccessibleMessage): the first that fits.
        return self._decode_any(subtypes, value, label)

    def required_booleans(self, type_name: str) -> dict[str, bool]:
        """All required Boolean fields of a type, set to False (to build full objects)."""
        return {
            name: False for name, f in self.fields(type_name).items() if f["required"] and f["types"] == ["Boolean"]
        }


def _not_a(type_name: str, path: str) -> NoReturn:
    raise bad_request(f"{path}: expected a {type_name}")


def _maybe_json(value: Any, opener: str) -> Any:
    if isinstance(value, str) and value.lstrip().startswith(opener):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request("can't parse JSON object") from None
    return value


def _check_inline_button(button: dict[str, Any], label: str) -> None:
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(f"{label}: only one of {', '.join(actions)} may be used")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_EMPTY")
    if "callback_data" in button and not 1 <= len(button["callback_data"].encode()) <= 64:
        raise bad_request("BUTTON_DATA_INVALID")


@lru_cache(maxsize=1)
def load_spec() -> ApiSpec:
    with spec_path().open(encoding="utf-8") as fh:
        return ApiSpec(json.load(fh))
