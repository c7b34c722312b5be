"""What the implemented Bot API methods do, after their parameters passed the spec.

Each handler gets the server, the decoded parameters and the target chat (when
the method has a chat_id) and returns the `result`, or raises ApiError the way
Telegram would. Valid calls to methods without a handler answer a minimal Message
(for methods returning one to a chat) or True.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request
from .formatting import render
from .limits import is_paced
from .transcript import BotMessage, Chat
from .updates import WebhookDelivery

if TYPE_CHECKING:
    from .server import FakeBotApi

Handler = Callable[["FakeBotApi", dict[str, Any], "Chat | None"], Awaitable[Any]]
_HANDLERS: dict[str, Handler] = {}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def handles(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[name] = handler
        return handler

    return register


async def dispatch(api: FakeBotApi, method: str, params: dict[str, Any], chat: Chat | None) -> Any:
    handler = _HANDLERS.get(method)
    if handler is not None:
        return await handler(api, params, chat)
    if api.spec.methods[method]["returns"] == ["Message"] and chat is not None:
        return _store(
            api, chat, BotMessage(chat.id, chat.new_message_id(), api.now(), kind=method, caption=params.get("caption"))
        )
    return True


def check_can_send(api: FakeBotApi, method: str, chat: Chat | None) -> None:
    """403s for chats the bot cannot post to: blocked by the user, or not in the group."""
    if chat is None or not (is_paced(method) or method.startswith("edit") or method == "sendChatAction"):
        return
    if chat.is_group:
        if chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.api['type']} chat")
        if chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.api['type']} chat")
    else:
        api.faults.check_blocked(chat.id)


def _store(api: FakeBotApi, chat: Chat, message: BotMessage) -> dict[str, Any]:
    chat.add_bot_message(message)
    return api.message_api(chat, message)


def _text(params: dict[str, Any], key: str = "text", limit: int = 4096) -> tuple[str, list[dict[str, Any]]]:
    text, entities = render(params[key], params.get("parse_mode"))
    if "entities" in params:
        entities = params["entities"]
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > limit:
        raise bad_request("message is too long")
    return text, entities


def _caption(params: dict[str, Any]) -> str | None:
    if "caption" not in params:
        return None
    caption, _ = render(params["caption"], params.get("parse_mode"))
    if len(caption) > 1024:
        raise bad_request("message caption is too long")
    return caption


def _reply_to(chat: Chat, params: dict[str, Any]) -> int | None:
    reply = params.get("reply_parameters")
    if not reply:
        return None
    message_id = reply["message_id"]
    if message_id in chat.messages or chat.find_bot_message(message_id):
        return message_id
    if reply.get("allow_sending_without_reply"):
        return None
    raise bad_request("message to be replied not found")


def _require_chat(chat: Chat | None) -> Chat:
    if chat is None:
        raise bad_request("chat_id is empty")
    return chat


def _editable(chat: Chat | None, params: dict[str, Any]) -> BotMessage | None:
    """The bot message an edit targets; None for inline messages (not tracked)."""
    if "inline_message_id" in params:
        return None
    chat = _require_chat(chat)
    if "message_id" not in params:
        raise bad_request("message identifier is not specified")
    message = chat.find_bot_message(params["message_id"])
    if message is None or message.deleted:
        if params["message_id"] in chat.messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return message


def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
    return params.get("reply_markup")


# -- bot, updates, webhook ---------------------------------------------------


@handles("getMe")
async def get_me(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return api.bot_user | {
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


@handles("getUpdates")
async def get_updates(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    if api.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    limit = params.get("limit", 100)
    if not 1 <= limit <= 100:
        limit = 100
    return await api.updates.get_updates(
        params.get("offset"), limit, max(0, params.get("timeout", 0)), params.get("allowed_updates")
    )


@handles("setWebhook")
async def set_webhook(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    if not params["url"]:
        return await delete_webhook(api, params, chat)
    if not params["url"].startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    if params.get("drop_pending_updates"):
        api.updates.drop_all()
    api.updates.set_allowed(params.get("allowed_updates"))
    if api.webhook:
        await api.webhook.stop()
    api.webhook = WebhookDelivery(api.updates, params["url"], secret)
    api.webhook_settings = {k: params[k] for k in ("max_connections", "allowed_updates") if k in params}
    api.webhook.start()
    return True


@handles("deleteWebhook")
async def delete_webhook(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    if api.webhook:
        await api.webhook.stop()
        api.webhook = None
        api.webhook_settings = {}
    if params.get("drop_pending_updates"):
        api.updates.drop_all()
    return True


@handles("getWebhookInfo")
async def get_webhook_info(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    info: dict[str, Any] = {
        "url": api.webhook.url if api.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": api.updates.pending_count,
    }
    if api.webhook:
        info |= api.webhook_settings
        if api.webhook.last_error_date:
            info |= {
                "last_error_date": api.webhook.last_error_date,
                "last_error_message": api.webhook.last_error_message,
            }
    return info


@handles("close")
@handles("logOut")
async def close(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return True


# -- messages ------------------------------------------------------------------


@handles("sendMessage")
async def send_message(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    chat = _require_chat(chat)
    text, entities = _text(params)
    message = BotMessage(
        chat.id,
        chat.new_message_id(),
        api.now(),
        text=text,
        entities=entities,
        reply_markup=_markup(params),
        reply_to_message_id=_reply_to(chat, params),
        protected=bool(params.get("protect_content")),
        thread_id=_thread(chat, params),
    )
    return _store(api, chat, message)


def _thread(chat: Chat, params: dict[str, Any]) -> int | None:
    """The forum topic a send names (message_thread_id), which must exist."""
    thread = params.get("message_thread_id")
    if thread is None:
        return None
    if not chat.api.get("is_forum") or thread not in chat.topics:
        raise bad_request("message thread not found")
    return int(thread)


@handles("createForumTopic")
async def create_forum_topic(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    chat = _require_chat(chat)
    if not chat.api.get("is_forum"):
        raise bad_request("the chat is not a forum")
    name = params["name"]
    if not 1 <= len(name) <= 128:
        raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
    thread = chat.new_message_id()  # Telegram: the id of the topic's service message
    chat.topics[thread] = name
    return {"message_thread_id": thread, "name": name, "icon_color": params.get("icon_color", 7322096)}


def _file_of(api: FakeBotApi, value: Any, folder: str) -> Any:
    """The stored file a send names: a file_id of one sent before, or a new upload."""
    if isinstance(value, str):
        stored = api.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored
    if not value.data:
        raise bad_request("file must be non-empty")
    return api.files.add(value.data, folder, value.filename)


def _ids(stored: Any) -> dict[str, str]:
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}


def _send_file(api: FakeBotApi, chat: Chat, params: dict[str, Any], **attachment: Any) -> dict[str, Any]:
    """Store a sent file message (`attachment`: its kind and its document or photo)."""
    message = BotMessage(
        chat.id,
        chat.new_message_id(),
        api.now(),
        caption=_caption(params),
        reply_markup=_markup(params),
        reply_to_message_id=_reply_to(chat, params),
        **attachment,
    )
    return _store(api, chat, message)


@handles("sendDocument")
async def send_document(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    chat = _require_chat(chat)
    document = params["document"]
    stored = _file_of(api, document, "documents")
    if isinstance(document, str):
        name, mime = stored.file_path.rsplit("/", 1)[-1], "application/octet-stream"
    else:
        name, mime = document.filename, document.content_type
    info = {**_ids(stored), "file_name": name, "mime_type": mime, "file_size": len(stored.data)}
    return _send_file(api, chat, params, kind="document", document=info)


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of an uploaded PNG (read from its IHDR chunk) or JPEG (its SOF
    marker); Telegram refuses what it cannot process as an image."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
            i += 2 + length
    raise bad_request("IMAGE_PROCESS_FAILED")


@handles("sendPhoto")
async def send_photo(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    """An uploaded photo (or a file_id of one sent before): at most 10 MB, width + height
    at most 10000, a side ratio of at most 20, as the Bot API documents for sendPhoto."""
    chat = _require_chat(chat)
    stored = _file_of(api, params["photo"], "photos")
    width, height = _image_size(stored.data)
    if len(stored.data) > 10 * 1024 * 1024 or width + height > 10000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    size = {**_ids(stored), "width": width, "height": height, "file_size": len(stored.data)}
    return _send_file(api, chat, params, kind="photo", photo=[size])


@handles("editMessageText")
async def edit_message_text(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    message = _editable(chat, params)
    text, entities = _text(params)
    if message is None:
        return True
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    markup = _markup(params)
    if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(
            "message is not modified: specified new message content and reply markup "
            "are exactly the same as a current content and reply markup of the message"
        )
    # Like Telegram: an edit without reply_markup removes the inline keyboard.
    message.text, message.entities, message.reply_markup = text, entities, markup
    chat.note_edit(message)
    return api.message_api(chat, message)


@handles("editMessageReplyMarkup")
async def edit_message_reply_markup(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    message = _editable(chat, params)
    if message is None:
        return True
    markup = _markup(params)
    if markup == message.reply_markup or (not markup and not message.keyboard):
        raise bad_request(
            "message is not modified: specified new message content and reply markup "
            "are exactly the same as a current content and reply markup of the message"
        )
    message.reply_markup = markup
    chat.note_edit(message)
    return api.message_api(chat, message)


@handles("deleteMessage")
async def delete_message(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    chat = _require_chat(chat)
    message = chat.find_bot_message(params["message_id"])
    if message is None or message.deleted:
        if chat.messages.pop(params["message_id"], None) is not None:
            return True
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


@handles("answerCallbackQuery")
async def answer_callback_query(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    if params["callback_query_id"] not in api.pending_callbacks:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(params.get("text", "")) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    api.pending_callbacks.discard(params["callback_query_id"])
    return True


@handles("sendChatAction")
async def send_chat_action(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    chat = _require_chat(chat)
    if params["action"] not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(params["action"])
    return True


# -- commands ------------------------------------------------------------------


def _commands_key(api: FakeBotApi, params: dict[str, Any]) -> tuple[str, str]:
    language = params.get("language_code", "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")  # ISO 639-1: two letters
    scope = params.get("scope") or {"type": "default"}
    if "chat_id" in scope and scope["chat_id"] not in api.chats:
        raise bad_request("chat not found")
    return repr(sorted(scope.items())), language


@handles("setMyCommands")
async def set_my_commands(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    commands = params["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands")
    for command in commands:
        if not _COMMAND.fullmatch(command["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command["description"]) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    api.commands[_commands_key(api, params)] = commands
    return True


def _language(params: dict[str, Any]) -> str:
    language = params.get("language_code", "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return str(language)


def _set_description(api: FakeBotApi, params: dict[str, Any], field: str, limit: int) -> bool:
    text = params.get(field, "")
    if len(text) > limit:
        raise bad_request(f"{field.upper()}_INVALID")  # Telegram: 0-{limit} characters
    api.descriptions[(field, _language(params))] = text
    return True


@handles("setMyDescription")
async def set_my_description(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return _set_description(api, params, "description", 512)


@handles("setMyShortDescription")
async def set_my_short_description(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return _set_description(api, params, "short_description", 120)


@handles("getMyDescription")
async def get_my_description(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return {"description": api.descriptions.get(("description", _language(params)), "")}


@handles("getMyShortDescription")
async def get_my_short_description(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return {"short_description": api.descriptions.get(("short_description", _language(params)), "")}


@handles("setMyName")
async def set_my_name(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return _set_description(api, params, "name", 64)


@handles("getMyName")
async def get_my_name(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return {"name": api.descriptions.get(("name", _language(params)), api.bot_user.get("first_name", ""))}


_MENU_BUTTONS = {"commands": set(), "default": set(), "web_app": {"text", "web_app"}}


@handles("setChatMenuButton")
async def set_chat_menu_button(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    button = params.get("menu_button") or {"type": "default"}
    kind = button.get("type")
    if kind not in _MENU_BUTTONS or not _MENU_BUTTONS[kind] <= set(button):
        raise bad_request("can't parse menu button")  # MenuButton: commands, web_app or default
    if "chat_id" in params and chat is None:
        raise bad_request("chat not found")
    api.menu_buttons[params.get("chat_id")] = button
    return True


@handles("getChatMenuButton")
async def get_chat_menu_button(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return api.menu_buttons.get(params.get("chat_id"), api.menu_buttons.get(None, {"type": "default"}))


@handles("getMyCommands")
async def get_my_commands(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    return api.commands.get(_commands_key(api, params), [])


@handles("deleteMyCommands")
async def delete_my_commands(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    api.commands.pop(_commands_key(api, params), None)
    return True


# -- chats and files -------------------------------------------------------------


@handles("getChat")
async def get_chat(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    chat = _require_chat(chat)
    return chat.api | {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": api.spec.required_booleans("AcceptedGiftTypes"),
    }


@handles("getChatMember")
async def get_chat_member(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    chat = _require_chat(chat)
    user_id = params["user_id"]
    if user_id == api.bot_id:
        return api.chat_member(api.bot_user, chat.bot_status)
    user = api.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if not chat.is_group and user_id != chat.id:
        raise bad_request("member not found")
    return api.chat_member(user.api, chat.members.get(user_id, "left"))


@handles("leaveChat")
async def leave_chat(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    chat = _require_chat(chat)
    if not chat.is_group:
        raise bad_request("chat member status can't be changed in private chats")
    if chat.bot_status in ("left", "kicked"):
        raise ApiError(403, f"Forbidden: bot is not a member of the {chat.api['type']} chat")
    chat.bot_status = "left"
    return True


@handles("getFile")
async def get_file(api: FakeBotApi, params: dict[str, Any], chat: Chat | None) -> Any:
    stored = api.files.get(params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.api()
