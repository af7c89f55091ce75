"""A MongoDB server at the wire, as far as the preflight asks one: `hello` answers what a test sets (a
replica set's primary, a secondary with no primary, a standalone), `saslStart` refuses or accepts the
credentials, `listIndexes` shows every index the service makes. The embedded engine is a standalone with no
users, so these are the states only a stand-in on a real socket can show to the real driver."""

from __future__ import annotations

import asyncio
import itertools
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import bson

from storage.indexes import INDEXES

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
HEADER = struct.Struct("<iiii")  # messageLength, requestID, responseTo, opCode


@dataclass
class FakeMongod:
    set_name: str | None = "rs0"  # None: a standalone server
    writable: bool = True  # False: a secondary whose set has no primary
    refuse_credentials: bool = False
    port: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def credentials_url(self, user: str, password: str) -> str:
        return f"mongodb://{user}:{password}@127.0.0.1:{self.port}/?directConnection=true&authSource=admin"

    def hello(self, legacy: bool = False) -> dict[str, Any]:
        """The fields a real server's `hello` has, for the kind of server this plays (`legacy`: the answer
        to `isMaster`, which names the same thing `ismaster`)."""
        me = f"127.0.0.1:{self.port}"
        reply: dict[str, Any] = {
            "helloOk": True,
            "ismaster" if legacy else "isWritablePrimary": self.writable,
            "maxBsonObjectSize": 16 * 1024 * 1024,
            "maxMessageSizeBytes": 48_000_000,
            "maxWriteBatchSize": 100_000,
            "localTime": datetime.now(UTC),
            "logicalSessionTimeoutMinutes": 30,
            "connectionId": next(self._ids),
            "minWireVersion": 0,
            "maxWireVersion": 21,
            "readOnly": False,
            "saslSupportedMechs": ["SCRAM-SHA-256"],
            "ok": 1.0,
        }
        if self.set_name is not None:
            reply |= {"setName": self.set_name, "setVersion": 1, "hosts": [me], "me": me}
            reply |= {"primary": me, "secondary": False} if self.writable else {"secondary": True}
        return reply

    def answer(self, command: dict[str, Any]) -> dict[str, Any]:
        name = next(iter(command))
        if name.lower() in ("hello", "ismaster"):
            return self.hello(legacy=name != "hello")
        if name == "saslStart" and self.refuse_credentials:
            return {
                "ok": 0.0,
                "errmsg": "Authentication failed.",
                "code": 18,
                "codeName": "AuthenticationFailed",
            }
        if name == "listIndexes":
            models = INDEXES.get(command[name], ())
            batch = [{"v": 2, "key": {"_id": 1}, "name": "_id_"}]
            batch += [{"v": 2, **model.document} for model in models]
            ns = f"{command['$db']}.{command[name]}"
            return {"cursor": {"id": 0, "ns": ns, "firstBatch": batch}, "ok": 1.0}
        return {"ok": 1.0}  # ping, endSessions, …

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                length, request_id, _, op = HEADER.unpack(await reader.readexactly(HEADER.size))
                body = await reader.readexactly(length - HEADER.size)
                writer.write(self._reply(request_id, op, body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def _reply(self, request_id: int, op: int, body: bytes) -> bytes:
        if op == OP_MSG:  # flagBits, then a kind-0 section: the command (no document sequences are sent)
            assert body[4] == 0
            command = bson.decode(body[5 : 5 + struct.unpack_from("<i", body, 5)[0]])
            payload = struct.pack("<IB", 0, 0) + bson.encode(self.answer(command))
        else:  # OP_QUERY: the first handshake, before the driver knows the server speaks OP_MSG
            assert op == OP_QUERY
            start = body.index(b"\0", 4) + 1 + 8  # flags, the collection's name, skip and limit
            command = bson.decode(body[start : start + struct.unpack_from("<i", body, start)[0]])
            payload = struct.pack("<iqii", 0, 0, 0, 1) + bson.encode(self.answer(command))
            op = OP_REPLY
        return HEADER.pack(HEADER.size + len(payload), next(self._ids), request_id, op) + payload

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakeMongod]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        async with server:
            yield self
