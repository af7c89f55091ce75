"""`concierge client erase C-1042`: a client's personal data made unreadable for good
(engine/clients/erasure.py). Asks for the id to be typed again, or `--yes` where nobody can answer (a
script, `docker compose exec -T`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable

from bot.deps import build_deps
from bot.settings import Settings
from domain.clock import SystemClock
from engine.clients import erasure
from engine.team.admin import OPERATOR
from storage.store import Store

EXIT_NOT_CONFIRMED = 1


def add_parser(commands: argparse._SubParsersAction) -> None:
    client = commands.add_parser("client", help="clients' personal data")
    actions = client.add_subparsers(dest="client_command", required=True)
    erase = actions.add_parser(
        "erase", help="erase a client's personal data for good (money records stay, the log still verifies)"
    )
    erase.add_argument("client_id", help="e.g. C-1042 (on the client's card and console page)")
    erase.add_argument("--yes", action="store_true", help="do not ask to type the id again")
    actions.add_parser(
        "erased",
        help="the clients erased so far, oldest first (to erase again after restoring an older backup)",
    )


def confirmed(args: argparse.Namespace) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        print("client erase: nobody can confirm here; add --yes to erase without asking", file=sys.stderr)
        return False
    print(
        f"This erases {args.client_id}'s name, numbers, messages and preferences for good.", file=sys.stderr
    )
    answer = input("Type the client id again to go on: ")
    return answer.strip().upper() == args.client_id.strip().upper()


def client(args: argparse.Namespace, settings: Settings) -> Callable[[Store], Awaitable[int]]:
    async def work(store: Store) -> int:
        if args.client_command == "erased":
            for client_id, at in await store.events.vault.erasures():
                print(f"{client_id}\t{at:%Y-%m-%d %H:%M} UTC")
            return 0
        if not confirmed(args):
            print("client erase: not confirmed; nothing changed", file=sys.stderr)
            return EXIT_NOT_CONFIRMED
        deps = await build_deps(settings, store, SystemClock())
        done = await erasure.erase(deps, OPERATOR, args.client_id)
        also = f" (and {', '.join(done.clients[1:])}, merged into them)" if len(done.clients) > 1 else ""
        print(
            f"client erase: {done.client_id}{also} erased: {done.requests} requests keep their money records"
        )
        print(f"  removed {done.inbox} inbound payloads and {done.deliveries} messages; topics deleted")
        if not done.compacted:
            print("  the store's files were not rewritten: on MongoDB see the README's Personal data;")
            print("  on the embedded store it was busy: run the same erase again")
        return 0

    return work
