"""Machine translation between a client and an assistant who do not share a language (issue 24 §1).

Client → topic: the assistant reads the translation, with the client's own words folded beneath it.
Assistant → client: the assistant writes in their language, the client gets the translation, the topic
shows what was sent. What must not change (domain/translation.py) goes as placeholders and comes back as
written, or the translation is not used. Each translation is an event (`MessageTranslated`, after the
message it translates: a replay reads it instead of asking the provider again); the original stays what
is stored and audited. A provider that cannot answer costs nothing but the translation: the original goes,
and the topic is told. Translations are cached by a digest of what was sent (`translations`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import structlog

from domain.clients import Assistant, Client, Language
from domain.errors import Unavailable
from domain.events import SYSTEM, Event, EventType
from domain.translation import protect, worth_translating
from engine import queries as q
from engine.deps import Deps
from engine.forum.cards import words_of
from engine.translations import handover_cause, translation_cause, translation_of
from storage.timefmt import to_ms

log = structlog.get_logger(__name__)

TO_ASSISTANT, TO_CLIENT = "to_assistant", "to_client"


@dataclass(frozen=True, slots=True)
class Translated:
    text: str | None  # None: it was needed and could not be had (the original goes, and the topic says so)
    source: str | None  # the language it was written in, when known
    target: str
    unavailable: bool = False  # the provider could not answer (down, slow, refusing the key)


def _needed(deps: Deps, client: Client, assistant: Assistant | None) -> bool:
    return (
        deps.interpreter is not None
        and assistant is not None
        and assistant.translates
        and client.translated
        and not client.erased
    )


async def for_assistant(
    deps: Deps, client: Client, event: Event, text: str, limit: int | None = None
) -> Translated | None:
    """The client's message in the assistant's first language, when the assistant does not read theirs;
    `limit`: how long the translation may be (a caption's), else it is not used."""
    if deps.interpreter is None or not client.translated:  # (no read on a message's path when it is off)
        return None
    assistant = await q.assistant(deps.store, client.assistant_id)
    if not _needed(deps, client, assistant) or not worth_translating(text):
        return None
    assert assistant is not None
    if client.language is not None and assistant.speaks(client.language):
        return None
    source = client.language.value if client.language else None
    return await _translate(
        deps,
        client,
        event,
        TO_ASSISTANT,
        text,
        assistant.languages[0].value,
        source,
        keep=(client.name, assistant.name),
        unless=assistant.languages,
        limit=limit,
    )


async def for_client(
    deps: Deps,
    client: Client,
    assistant: Assistant | None,
    event: Event,
    text: str,
    written_in: str | None = None,
    limit: int | None = None,
) -> Translated | None:
    """An assistant's words in the client's language, when the assistant does not speak it (or the text is
    known to be `written_in` another language than the client's); `limit` as for the assistant."""
    if not _needed(deps, client, assistant) or client.language is None or not worth_translating(text):
        return None
    assert assistant is not None
    if written_in == client.language.value or (written_in is None and assistant.speaks(client.language)):
        return None
    source = written_in  # (else the provider tells: an assistant may write any language they speak)
    return await _translate(
        deps,
        client,
        event,
        TO_CLIENT,
        text,
        client.language.value,
        source,
        keep=(client.name, assistant.name),
        unless=(client.language,),
        limit=limit,
    )


async def for_new_assistant(deps: Deps, client: Client, assistant: Assistant) -> None:
    """The client handed to an assistant who does not read their language: the words their open requests'
    cards carry, translated for them where no translation they read was made (an event each, as a message's:
    `handover_cause`; a replay or a second handover to the same language reads it). A provider that cannot
    answer is asked once: the words it did not translate show as written."""
    if not _needed(deps, client, assistant) or client.language is None or assistant.speaks(client.language):
        return
    for request in await q.open_requests(deps.store, client.id):
        for said, message in await words_of(deps, request):
            received = await deps.store.events.by_cause(f"{message}/received") if message else None
            if received is None or not worth_translating(said):
                continue
            if await translation_of(deps, message or "", assistant) is not None:
                continue  # (read already: the first translation, or this handover's made before)
            first = translation_cause(received.cause)
            made = await _translate(
                deps,
                client,
                received,
                TO_ASSISTANT,
                said,
                assistant.languages[0].value,
                client.language.value,
                keep=(client.name, assistant.name),
                unless=assistant.languages,
                limit=None,
                cause=handover_cause(first, assistant),
            )
            if made is not None and made.unavailable:
                return  # (each would wait its deadline: the rest as written, the next handover tries again)


async def _translate(
    deps: Deps,
    client: Client,
    event: Event,
    direction: str,
    text: str,
    target: str,
    source: str | None,
    keep: tuple[str, ...],
    unless: tuple[Language, ...],
    limit: int | None,
    cause: str | None = None,
) -> Translated | None:
    """`cause`: of the translation's event (by default the message's first, `translation_cause`)."""
    cause = cause or translation_cause(event.cause)
    if (
        done := await deps.store.events.by_cause(cause)
    ) is not None:  # a replay: as translated the first time
        return Translated(done.data["text"], done.data.get("source"), done.data["target"])
    assert deps.interpreter is not None
    protected = protect(text, keep)
    digest = hashlib.sha256(
        f"{deps.interpreter.name}|{source}|{target}|{protected.masked}".encode()
    ).hexdigest()
    cached = await deps.store.db["translations"].find_one({"_id": digest})
    try:
        if cached is not None:
            markup, detected = cached["markup"], cached.get("detected")
        else:
            markup, detected = await deps.interpreter.translate(protected.masked, target, source)
    except Unavailable as error:
        log.warning("translation.unavailable", provider=deps.interpreter.name, reason=str(error)[:80])
        return Translated(None, source, target, unavailable=True)
    reads_it = bool(detected) and detected in {lang.value for lang in unless}
    restored = None if reads_it else protected.restore(markup)
    if not reads_it and not restored:
        log.warning("translation.placeholders_lost", provider=deps.interpreter.name)
        return Translated(None, source, target)
    if cached is None:  # (what the provider said, a text the reader reads included: it is not asked again)
        await deps.store.db["translations"].update_one(
            {"_id": digest},
            {
                "$set": {
                    "markup": markup,
                    "detected": detected,
                    "client": client.id,
                    "at_ms": to_ms(deps.clock.now()),
                }
            },
            upsert=True,
        )
    if restored is None:
        return None  # written in a language the reader reads after all
    if limit is not None and len(restored) > limit:  # (a caption's translation that would not fit)
        log.warning("translation.too_long", provider=deps.interpreter.name, chars=len(restored), limit=limit)
        return Translated(None, source, target)
    written = source or detected
    data = {
        "of": event.seq,
        "direction": direction,
        "source": written,
        "target": target,
        "provider": deps.interpreter.name,
        "text": restored,
    }
    await deps.record(event.stream, EventType.MESSAGE_TRANSLATED, data, SYSTEM, cause)
    return Translated(restored, written, target)
