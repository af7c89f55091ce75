"""The `concierge` command: run the service, rebuild projections, verify the audit log, manage the team, and
look at and retry inbound messages that failed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog
from aiohttp import web

from bot import logging as app_logging
from bot.settings import ConfigError, Settings
from domain.clock import SystemClock
from domain.errors import DomainError
from engine import queries, staff_admin
from storage.audit import verify
from storage.embedded import DataDirInUse, EngineError
from storage.store import Store, open_store

log = structlog.get_logger(__name__)

EXIT_CONFIG = 2
SHUTDOWN_GRACE = 4.0  # in-flight requests; + workers (3 s) + the engine (2 s) stays under 10 s


def _load_settings() -> Settings:
    try:
        return Settings.load()
    except ConfigError as error:
        print("concierge: invalid configuration, nothing was started:", file=sys.stderr)
        for variable, problem in error.problems:
            print(f"  {variable}: {problem}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def _run(settings: Settings) -> int:
    from bot.app import create_app  # the web stack is only needed to serve

    try:
        web.run_app(
            create_app(settings),
            host=settings.http.http_host,
            port=settings.http.http_port,
            shutdown_timeout=SHUTDOWN_GRACE,
            print=None,
            access_log=None,
        )
    except DataDirInUse as error:
        print(f"concierge: CONCIERGE_DATA_DIR: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except EngineError as error:
        print(f"concierge: the embedded store could not start: {error}", file=sys.stderr)
        return 1
    log.info("service.stopped")
    return 0


async def _with_store(settings: Settings, work: Callable[[Store], Awaitable[int]]) -> int:
    store_settings = settings.store
    url = store_settings.mongodb_url.get_secret_value() if store_settings.mongodb_url else None
    async with open_store(
        url,
        store_settings.mongodb_db,
        store_settings.concierge_data_dir,
        SystemClock(),
        reuse_running=True,
        catch_up=False,
    ) as store:
        return await work(store)


async def _audit(store: Store) -> int:
    report = await verify(store.db, store.events)
    if report.intact:
        print(f"audit: intact — {report.events} events in {report.streams} streams")
        return 0
    print(f"audit: BROKEN — {report.broken}")
    return 1


async def _rebuild(store: Store) -> int:
    applied = await store.projector.rebuild()
    print(f"rebuild: {applied} events applied")
    return 0


def _staff(args: argparse.Namespace) -> Callable[[Store], Awaitable[int]]:
    async def work(store: Store) -> int:
        if args.staff_command == "add":
            assistant = await staff_admin.add(
                store, args.telegram_id, args.name, args.languages, args.lead, args.staff_chat_id
            )
            print(f"staff: {assistant.name} ({assistant.id}) is on the team")
        elif args.staff_command == "deactivate":
            assistant = await staff_admin.deactivate(store, args.telegram_id)
            print(f"staff: {assistant.name} ({assistant.id}) is inactive; their clients keep their topics")
        else:
            load = await queries.open_load(store)
            for a in await queries.assistants(store):
                flags = [f for f, on in (("lead", a.lead), ("inactive", not a.active)) if on]
                print(
                    f"{a.telegram_id}\t{a.name}\t{','.join(lang.value for lang in a.languages)}\t"
                    f"open={load.get(a.id, 0)}\t{a.staff_chat_id or '-'}\t{' '.join(flags)}"
                )
        return 0

    return work


def _inbox(args: argparse.Namespace) -> Callable[[Store], Awaitable[int]]:
    async def work(store: Store) -> int:
        if args.inbox_command == "retry":
            if await store.inbox.retry_failed(args.id):
                print(f"inbox: {args.id} is queued again; the service processes it within seconds")
                return 0
            print(f"inbox: no failed item {args.id} (see: concierge inbox failed)", file=sys.stderr)
            return 1
        failures = await store.inbox.failures()
        if not failures:
            print("inbox: nothing failed")
        for doc in failures:
            at = datetime.fromtimestamp(doc["received_ms"] / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
            print(
                f"{doc['_id']}\t{doc['source']}\t{at}\tattempts={doc['attempts']}\t{doc.get('error') or ''}"
            )
        return 0

    return work


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="concierge", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="serve webhooks, the engine and the workers")
    commands.add_parser("rebuild", help="rebuild every projection from the event log")
    audit = commands.add_parser("audit", help="the audit log")
    audit.add_subparsers(dest="audit_command", required=True).add_parser(
        "verify", help="check every stream's seq and hash chain; exit 1 naming the first broken link"
    )
    staff = commands.add_parser("staff", help="Executive Assistants")
    actions = staff.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser("add", help="add an assistant (or bring back a deactivated one)")
    add.add_argument("--telegram-id", type=int, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--languages", required=True, help="comma-separated: en,ar,ru")
    add.add_argument("--lead", action="store_true", help="may reassign clients and refund")
    add.add_argument(
        "--staff-chat-id", type=int, help="their own staff forum (default TELEGRAM_STAFF_CHAT_ID)"
    )
    actions.add_parser("list", help="the team, with open conversations")
    off = actions.add_parser("deactivate", help="no new clients for this assistant")
    off.add_argument("--telegram-id", type=int, required=True)
    inbox = commands.add_parser("inbox", help="inbound messages that failed for good")
    inbox_actions = inbox.add_subparsers(dest="inbox_command", required=True)
    inbox_actions.add_parser("failed", help="list what was set aside, newest first")
    retry = inbox_actions.add_parser("retry", help="process a set-aside item again")
    retry.add_argument("id", help="its id, as `concierge inbox failed` shows it (e.g. tg:812345)")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = _load_settings()
    app_logging.configure(settings.app.log_level, settings.app.log_format)
    if args.command == "run":
        return _run(settings)
    commands = {"staff": _staff, "inbox": _inbox}
    work = (
        commands[args.command](args)
        if args.command in commands
        else {"rebuild": _rebuild, "audit": _audit}[args.command]
    )
    try:
        return asyncio.run(_with_store(settings, work))
    except DataDirInUse as error:
        print(f"concierge: CONCIERGE_DATA_DIR: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except DomainError as error:
        print(f"concierge: {error}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
