"""The `concierge` command: run the service, rebuild projections, verify the audit log, manage the team, and
look at and retry inbound messages that failed."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import structlog
from aiohttp import web
from pymongo.errors import PyMongoError

from bot import cli_erase, cli_report
from bot import logging as app_logging
from bot.deps import build_deps
from bot.settings import ConfigError, Settings, env_example
from domain.clients import Assistant, mask_phone
from domain.clock import SystemClock
from domain.errors import DomainError, InvalidValue
from domain.projections import PROJECTIONS
from domain.signin import LINK_MINUTES
from engine import queries
from engine.i18n import LocaleError, check_locales
from engine.team import admin as staff_admin
from engine.team import sign_in
from storage import backup
from storage.audit import verify
from storage.embedded import (
    DataDirInUse,
    DataDirUnusable,
    EngineError,
    ForeignEngine,
    check_usable,
    find_running,
)
from storage.heartbeats import Heartbeats
from storage.indexes import ensure_indexes, index_plan
from storage.store import Store, open_store

log = structlog.get_logger(__name__)

EXIT_CONFIG = 2
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE  # what a shell reports for a tool its reader stopped reading
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
    # an unusable data directory says so at once, before the web stack's imports (seconds of CPU)
    if settings.store.mongodb_url is None:
        try:
            check_usable(settings.store.concierge_data_dir)
        except DataDirUnusable as error:
            print(f"concierge: CONCIERGE_DATA_DIR: {error}", file=sys.stderr)
            return EXIT_CONFIG
    from bot import heap
    from bot.app import create_app  # the web stack is only needed to serve

    app = create_app(settings)
    heap.measure_pauses()
    app.on_startup.append(heap.settle)  # (after every start-up step: they are the app's cleanup contexts)
    try:
        web.run_app(
            app,
            host=settings.http.http_host,
            port=settings.http.http_port,
            shutdown_timeout=SHUTDOWN_GRACE,
            print=None,
            access_log=None,
        )
    except (DataDirInUse, DataDirUnusable) as error:
        print(f"concierge: CONCIERGE_DATA_DIR: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except ForeignEngine as error:
        print(f"concierge: MONGODB_URL: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except EngineError as error:
        print(f"concierge: the embedded store could not start: {error}", file=sys.stderr)
        return 1
    log.info("service.stopped")
    gc.freeze()  # everything is closed: the collection at interpreter exit took seconds of the 10 s budget
    return 0


_MONGODUMP = (
    "concierge: MONGODB_URL is set: back MongoDB up with its own tools (a replica set dumps consistently) —\n"
    '  mongodump --uri "$MONGODB_URL" --oplog --gzip --archive=concierge-$(date +%F).gz\n'
    '  mongorestore --uri "$NEW_MONGODB_URL" --oplogReplay --gzip --archive=concierge-….gz\n'
    "  (or Atlas' continuous backups); then `concierge audit verify` and `concierge rebuild` on the copy."
)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    if settings.store.mongodb_url is not None:
        print(_MONGODUMP, file=sys.stderr)
        return EXIT_CONFIG
    try:
        taken = backup.take(settings.store.concierge_data_dir, settings.store.mongodb_db, args.file)
    except backup.BackupError as error:
        print(f"concierge: {error}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"backup: {taken.events} events, {taken.size / 1e6:.1f} MB, checked whole → {taken.path}")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    store_settings = settings.store
    if store_settings.mongodb_url is not None:
        print(_MONGODUMP, file=sys.stderr)
        return EXIT_CONFIG
    data_dir = store_settings.concierge_data_dir
    if find_running(data_dir) is not None:
        print(
            f"concierge: a service runs on {data_dir}: restore into a new CONCIERGE_DATA_DIR", file=sys.stderr
        )
        return EXIT_CONFIG
    try:
        restored = backup.restore(args.file, data_dir, store_settings.mongodb_db)
    except backup.BackupError as error:
        print(f"concierge: {error}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"restore: {restored.events} events into {data_dir}")

    async def refold() -> int:
        async with open_store(
            None, store_settings.mongodb_db, data_dir, SystemClock(), catch_up=False
        ) as store:
            report = await verify(store.db, store.events)
            print(f"audit: {'intact' if report.intact else 'BROKEN — ' + str(report.broken)}")
            if not report.intact:
                return 1
            backed_up = await _projected(store)
            code = await _rebuild_all(store)
            rebuilt = await _projected(store)
            # (a backup taken between an append and its projection differs in that stream: the log decides)
            differ = sorted(
                k for k in backed_up.keys() | rebuilt.keys() if backed_up.get(k) != rebuilt.get(k)
            )
            agree = (
                f"{len(differ)} differ: {', '.join(differ[:5])}" if differ else "all as the backup had them"
            )
            print(f"rebuild: {len(rebuilt)} projection documents, {agree}")
            return code

    return asyncio.run(refold())


def _migrate(args: argparse.Namespace) -> Callable[[Store], Awaitable[int]]:
    async def work(store: Store) -> int:
        plan, stale = await index_plan(store.db), await store.projector.refold_plan()
        verb = "would" if args.dry_run else "did"
        for collection, name, keys in plan.create:
            print(f"migrate: {verb} create the index {collection}.{name} ({keys})")
        for collection, name, keys in plan.drop:
            print(
                f"migrate: {verb} drop the index {collection}.{name} ({keys}): this version does not use it"
            )
        for collection, count in stale.items():
            print(f"migrate: {verb} refold {count} {collection} documents of an older shape")
        running = await Heartbeats(store.db).alive(datetime.now(UTC))
        unsafe = []  # what a migration would do to the instances running now (a start beside them does not)
        if plan.drop and running:
            unsafe.append("they may still read through the indexes it drops")
        if stale and 0 in running.values():
            unsafe.append("one from before document formats were told apart writes the old shape back")
        for reason in unsafe:
            print(f"migrate: not safe beside the {len(running)} running instance(s): {reason}")
        if not (plan.create or plan.drop or stale):
            print("migrate: nothing to change")
        elif not args.dry_run and unsafe and not args.force:
            print(
                f"concierge: {len(running)} instance(s) still running; stop them, or --force", file=sys.stderr
            )
            return EXIT_CONFIG
        elif not args.dry_run:
            await ensure_indexes(store.db, drop_stale=True)
            await store.projector.catch_up(
                take_newer=max(running.values(), default=0) <= store.projector.format
            )
        return 0

    return work


def _check(settings: Settings) -> int:
    from bot import preflight  # (here: aiogram and the Twilio client take seconds to import, every command)

    findings = asyncio.run(preflight.check(settings))
    for finding in findings:
        print(finding)
    return 1 if any(f.verdict is preflight.Verdict.FAIL for f in findings) else 0


def _masked(url: str) -> str:
    """A MongoDB URL without its credentials."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


async def _with_store(
    settings: Settings, work: Callable[[Store], Awaitable[int]], new_store: bool, prepare: bool = True
) -> int:
    """Run `work` on the store the service uses, saying which one (on stderr: stdout stays the answer)."""
    store_settings = settings.store
    url = store_settings.mongodb_url.get_secret_value() if store_settings.mongodb_url else None
    data_dir = store_settings.concierge_data_dir
    if url is not None:
        where = f"MongoDB {_masked(url)}, database {store_settings.mongodb_db}"
    elif find_running(data_dir) is not None:
        where = f"the running service's embedded store in {data_dir}"
    elif (data_dir / "db").exists():
        where = f"the embedded store in {data_dir} (no service is running on it)"
    elif new_store:
        where = f"a new embedded store in {data_dir}"
    else:
        print(
            f"concierge: no store in {data_dir}: no service has run with this CONCIERGE_DATA_DIR.\n"
            "  Point CONCIERGE_DATA_DIR at the service's data, start the service once (make run), "
            "or pass --new-store to create one here.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    print(f"concierge: using {where}", file=sys.stderr)
    async with open_store(
        url,
        store_settings.mongodb_db,
        data_dir,
        SystemClock(),
        reuse_running=True,
        catch_up=False,
        prepare=prepare,
    ) as store:
        return await work(store)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def _audit(args: argparse.Namespace) -> Callable[[Store], Awaitable[int]]:
    async def work(store: Store) -> int:
        report = await verify(store.db, store.events)
        quarantined = await store.projector.quarantined()
        if args.json:
            print(
                json.dumps(
                    {
                        "intact": report.intact,
                        "events": report.events,
                        "streams": report.streams,
                        "broken": report.broken,
                        "quarantined": [_quarantined(q) for q in quarantined],
                    }
                )
            )
        else:
            if report.intact:
                print(f"audit: intact — {report.events} events in {report.streams} streams")
            else:
                print(f"audit: BROKEN — {report.broken}")
            _print_quarantine(quarantined)
        return 0 if report.intact else 1

    return work


def _rebuild(_args: argparse.Namespace) -> Callable[[Store], Awaitable[int]]:
    return _rebuild_all


async def _projected(store: Store) -> dict[str, str]:
    """Every projection document, `collection:_id` → its contents (to compare a refold with what was kept)."""
    found = {}
    for projection in PROJECTIONS:
        async for doc in store.db[projection.collection].find({}):
            found[f"{projection.collection}:{doc['_id']}"] = json.dumps(doc, sort_keys=True, default=str)
    return found


async def _rebuild_all(store: Store) -> int:
    applied = await store.projector.rebuild()
    print(f"rebuild: {applied} events applied")
    await store.kpi_days.reset()
    print(
        "rebuild: the figures kept by day and week (and today's checkpoint) are folded again by the service"
    )
    read = await store.words.start_up(store.events, SystemClock().now(), afresh=True)
    print(f"rebuild: the words of {read} events indexed for search")
    quarantined = await store.projector.quarantined()
    _print_quarantine(quarantined)
    return 1 if quarantined else 0


def _quarantined(doc: dict) -> dict:
    return {k: doc[k] for k in ("stream", "seq", "type", "reason")}


def _print_quarantine(quarantined: list[dict]) -> None:
    """Events the projections set apart: their streams stay at the event before (see audit verify)."""
    if quarantined:
        print(f"quarantined: {len(quarantined)} event(s) the projections cannot apply")
        rows = [[q["stream"], str(q["seq"]), q["type"], q["reason"]] for q in quarantined]
        print(_table(rows, ["stream", "seq", "type", "reason"]))


def _staff(args: argparse.Namespace, settings: Settings) -> Callable[[Store], Awaitable[int]]:
    async def work(store: Store) -> int:
        deps = await build_deps(
            settings, store, SystemClock()
        )  # (a write goes through Deps.record, like the service's)
        if args.staff_command == "add":
            assistant = await staff_admin.add(
                deps,
                args.telegram_id,
                args.name,
                args.languages,
                args.lead,
                args.staff_chat_id,
                ui_language=args.ui_language,
                phone=args.phone,
            )
            print(f"staff: {assistant.name} ({assistant.id}) is on the team")
        elif args.staff_command == "set-phone":
            assistant = await staff_admin.set_phone(deps, args.telegram_id, args.phone)
            print(f"staff: {assistant.name}'s phone is {mask_phone(assistant.phone) or 'not set'}")
        elif args.staff_command == "deactivate":
            assistant = await staff_admin.deactivate(deps, args.telegram_id)
            print(f"staff: {assistant.name} ({assistant.id}) is inactive; their clients keep their topics")
        else:
            load, now = await queries.open_load(store), datetime.now(UTC)
            team = await queries.assistants(store)
            if args.json:
                print(json.dumps([_assistant(a, load.get(a.id, 0)) for a in team], ensure_ascii=False))
            elif not team:
                print(
                    "staff: no assistants yet — add one: concierge staff add --telegram-id N --name NAME "
                    "--languages en,ar"
                )
            else:
                rows = [
                    [
                        str(a.telegram_id),
                        a.name,
                        ",".join(lang.value for lang in a.languages),
                        str(load.get(a.id, 0)),
                        mask_phone(a.phone) or "—",
                        str(a.staff_chat_id or "—"),
                        ", ".join(f for f, on in (("lead", a.lead), ("inactive", not a.active)) if on) or "—",
                        _presence(a, now),
                    ]
                    for a in team
                ]
                print(
                    _table(
                        rows,
                        [
                            "TELEGRAM ID",
                            "NAME",
                            "LANGUAGES",
                            "OPEN",
                            "PHONE",
                            "STAFF FORUM",
                            "ROLE",
                            "PRESENCE",
                        ],
                    )
                )
        return 0

    return work


def _console_link(args: argparse.Namespace, settings: Settings) -> Callable[[Store], Awaitable[int]]:
    async def work(store: Store) -> int:
        assistant = await queries.staff_member(store, args.telegram_id)
        if assistant is None:
            raise InvalidValue(f"no active assistant has telegram id {args.telegram_id}")
        if settings.sandbox:  # its bot token lives in the running sandbox, which signs the link itself
            print(f"{settings.http.base_url}/sandbox/console/{assistant.telegram_id}")
            print(f"console-link: for {assistant.name}; open it while the sandbox runs", file=sys.stderr)
            return 0
        if settings.telegram.telegram_bot_token is None:
            raise InvalidValue("the console's links are signed with TELEGRAM_BOT_TOKEN: set it")
        deps = await build_deps(settings, store, SystemClock())
        _nonce, url = await sign_in.issue(deps, assistant)
        print(url)
        print(f"console-link: for {assistant.name}; one use, valid {LINK_MINUTES} minutes", file=sys.stderr)
        return 0

    return work


def _assistant(a: Assistant, open_conversations: int) -> dict:
    return {
        "telegram_id": a.telegram_id,
        "name": a.name,
        "languages": [lang.value for lang in a.languages],
        "open": open_conversations,
        "phone": mask_phone(a.phone) or None,  # (masked: a listing is not where numbers are read)
        "staff_chat_id": a.staff_chat_id,
        "lead": a.lead,
        "active": a.active,
        "away": a.away,
        "away_until": a.away_until.isoformat() if a.away_until else None,
    }


def _presence(a: Assistant, now: datetime) -> str:
    if not a.active:
        return "—"
    if a.present_at(now):
        return "on duty"
    return f"away until {a.away_until:%Y-%m-%d %H:%M} UTC" if a.away_until else "away"


def _inbox(args: argparse.Namespace) -> Callable[[Store], Awaitable[int]]:
    async def work(store: Store) -> int:
        if args.inbox_command == "retry":
            if await store.inbox.retry_failed(args.id):
                print(f"inbox: {args.id} is queued again; the service processes it within seconds")
                return 0
            print(f"inbox: no failed item {args.id} (see: concierge inbox failed)", file=sys.stderr)
            return 1
        failures = await store.inbox.failures()
        if args.json:
            print(json.dumps(failures, ensure_ascii=False))
        elif not failures:
            print("inbox: nothing failed")
        else:
            rows = [
                [
                    doc["_id"],
                    doc["source"],
                    _when(doc["received_ms"]),
                    str(doc["attempts"]),
                    doc.get("error") or "",
                ]
                for doc in failures
            ]
            print(_table(rows, ["ID", "SOURCE", "RECEIVED", "ATTEMPTS", "ERROR"]))
        return 0

    return work


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _telegram_id(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise argparse.ArgumentTypeError("a person's Telegram id is a positive number, like 123456789")
    return int(value)


def _version() -> str:
    try:
        return metadata.version("concierge")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="concierge", description=__doc__)
    root.add_argument("--version", action="version", version=f"concierge {_version()}")
    root.add_argument(
        "-v", "--verbose", action="store_true", help="log at LOG_LEVEL (default: warnings only)"
    )
    root.add_argument(
        "--new-store", action="store_true", help="create the embedded store if no service has run here"
    )
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="serve webhooks, the engine and the workers")
    commands.add_parser("env-example", help="print .env.example: every setting, its meaning and default")
    commands.add_parser(
        "check", help="ask each configured integration whether it is set up right (exit 1 if not)"
    )
    commands.add_parser(
        "backup", help="a consistent snapshot of the embedded store, taken while it runs"
    ).add_argument("file", type=Path, help="where to write it (never overwritten)")
    commands.add_parser(
        "restore", help="a backup into a new CONCIERGE_DATA_DIR, checked and refolded"
    ).add_argument("file", type=Path, help="the backup to restore")
    commands.add_parser("rebuild", help="rebuild every projection from the event log")
    migrate = commands.add_parser(
        "migrate", help="what a start of this version changes in the store (indexes, refolds), then does it"
    )
    migrate.add_argument("--dry-run", action="store_true", help="only say what would change")
    migrate.add_argument(
        "--force", action="store_true", help="drop indexes and refold even while instances run"
    )
    audit = commands.add_parser("audit", help="the audit log")
    audit.add_subparsers(dest="audit_command", required=True).add_parser(
        "verify",
        help="check every stream's seq and hash chain and that the projections can fold it; exit 1 naming "
        "the first broken link; list the events the projections quarantined",
    ).add_argument("--json", action="store_true", help="machine-readable output")
    staff = commands.add_parser("staff", help="Executive Assistants")
    actions = staff.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser("add", help="add an assistant (or bring back a deactivated one)")
    add.add_argument("--telegram-id", type=_telegram_id, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--languages", required=True, help="comma-separated: en,ar,ru")
    add.add_argument("--lead", action="store_true", help="may reassign clients and refund")
    add.add_argument(
        "--staff-chat-id", type=int, help="their own staff forum (default TELEGRAM_STAFF_CHAT_ID)"
    )
    add.add_argument(
        "--ui-language", default="en", choices=["en", "ru"], help="the console's and staff texts' language"
    )
    add.add_argument(
        "--phone", help="where the concierge number rings them, E.164 (+7…); never told to clients"
    )
    phone = actions.add_parser("set-phone", help="set (or, empty, clear) an assistant's phone for calls")
    phone.add_argument("--telegram-id", type=_telegram_id, required=True)
    phone.add_argument("--phone", required=True, help="E.164, like +79161234567; '' clears it")
    actions.add_parser("list", help="the team, with open conversations").add_argument(
        "--json", action="store_true", help="machine-readable output"
    )
    off = actions.add_parser("deactivate", help="no new clients for this assistant")
    off.add_argument("--telegram-id", type=_telegram_id, required=True)
    cli_report.add_parser(commands)
    cli_erase.add_parser(commands)
    link = commands.add_parser(
        "console-link", help="a one-time sign-in link to the staff console (10 minutes) for an assistant"
    )
    link.add_argument("--telegram-id", type=_telegram_id, required=True)
    inbox = commands.add_parser("inbox", help="inbound messages that failed for good")
    inbox_actions = inbox.add_subparsers(dest="inbox_command", required=True)
    inbox_actions.add_parser("failed", help="list what was set aside, newest first").add_argument(
        "--json", action="store_true", help="machine-readable output"
    )
    retry = inbox_actions.add_parser("retry", help="process a set-aside item again")
    retry.add_argument("id", help="its id, as `concierge inbox failed` shows it (e.g. tg:812345)")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "env-example":  # needs no settings: it says what they are
        sys.stdout.write(env_example())
        return 0
    settings = _load_settings()
    try:
        check_locales()
    except LocaleError as error:
        print(f"concierge: the texts are not usable, nothing was started: {error}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "run":
        app_logging.configure(settings.app.log_level, settings.app.log_format)
        return _run(settings)
    if args.command == "check":
        app_logging.configure("WARNING", settings.app.log_format)
        return _check(settings)
    if args.command in ("backup", "restore"):
        app_logging.configure("WARNING", settings.app.log_format)
        return _backup(args, settings) if args.command == "backup" else _restore(args, settings)
    # a person at the command line reads answers on stdout; logs stay on stderr, warnings only unless asked
    level = settings.app.log_level if args.verbose else "WARNING"
    app_logging.configure(level, settings.app.log_format)
    commands = {
        "staff": lambda a: _staff(a, settings),
        "inbox": _inbox,
        "audit": _audit,
        "rebuild": _rebuild,
        "report": lambda a: cli_report.report(a, settings.clock.promises, settings.app.timezone),
        "console-link": lambda a: _console_link(a, settings),
        "migrate": _migrate,
        "client": lambda a: cli_erase.client(a, settings),
    }
    try:
        prepare = args.command != "migrate"  # (migrate says what it changes, then changes it)
        code = asyncio.run(_with_store(settings, commands[args.command](args), args.new_store, prepare))
        sys.stdout.flush()  # here, where a closed pipe can still be answered
        return code
    except BrokenPipeError:  # `concierge report | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (Python flushes stdout at exit)
        return EXIT_BROKEN_PIPE
    except PyMongoError as error:
        print(
            f"concierge: the store did not answer ({type(error).__name__}); is it running?", file=sys.stderr
        )
        return 1
    except (DataDirInUse, DataDirUnusable) as error:
        print(f"concierge: CONCIERGE_DATA_DIR: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except DomainError as error:
        print(f"concierge: {error}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
