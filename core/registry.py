"""The registry: which PIDs share each look, and who saw which Spinda where.

One SQLite file (default `data_dir() / "spinda_registry.db"`) shared by the bot and the command line, so it
runs in WAL mode with a busy timeout: a CLI run and the bot may write at the same moment. Within one
process every write goes through one connection behind a lock, so concurrent identifications never
interleave half-finished transactions. It knows nothing of Discord: ids are plain integers.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import aiosqlite

from core.assets import data_dir
from core.pid import MAX_PID

REGISTRY_FILENAME = "spinda_registry.db"
_SCHEMA_VERSION = 1
_BUSY_TIMEOUT_MS = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS looks (
    fingerprint TEXT NOT NULL,
    pid INTEGER NOT NULL,
    game TEXT NOT NULL,
    UNIQUE (fingerprint, pid)
);
CREATE INDEX IF NOT EXISTS looks_by_fingerprint ON looks (fingerprint);
CREATE TABLE IF NOT EXISTS sightings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    pid INTEGER NOT NULL,
    game TEXT NOT NULL,
    source TEXT NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    message_id INTEGER,
    user_id INTEGER,
    confidence REAL NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sightings_by_user ON sightings (user_id, id);
CREATE INDEX IF NOT EXISTS sightings_by_look ON sightings (fingerprint, guild_id);
"""

_SIGHTING_COLUMNS = (
    "id, fingerprint, pid, game, source, guild_id, channel_id, message_id, user_id, confidence, created_at"
)


class RegistryError(RuntimeError):
    """The registry cannot be opened or used; the message names the file and the reason."""


def default_registry_path() -> Path:
    return data_dir() / REGISTRY_FILENAME


@dataclass(frozen=True)
class Sighting:
    """One identification: what was seen, by whom, where (None where the place has no such id)."""

    id: int
    fingerprint: str
    pid: int
    game: str
    source: str
    guild_id: int | None
    channel_id: int | None
    message_id: int | None
    user_id: int | None
    confidence: float
    created_at: datetime


def _check_pid(pid: int) -> int:
    if not 0 <= pid <= MAX_PID:
        raise ValueError(f"PID {pid} is outside 0..{MAX_PID:#X}")
    return pid


def _check_fingerprint(fingerprint: str) -> str:
    if not fingerprint.strip():
        raise ValueError("a fingerprint is needed, got an empty string")
    return fingerprint


class Registry:
    """Async access to the registry file. Use as `async with Registry(path) as registry:`."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_registry_path()
        self._db: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> Registry:
        if self._db is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000)
        except (OSError, sqlite3.Error) as exc:
            raise RegistryError(f"{self.path}: cannot open the registry ({exc})") from exc
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            # With WAL, NORMAL still never corrupts the file; a power cut may drop the last few sightings,
            # which is a fair price for not waiting on a disk flush after every identification.
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.executescript(_SCHEMA)
            await db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
            await db.commit()
        except sqlite3.Error as exc:
            await db.close()
            raise RegistryError(f"{self.path}: not a usable registry database ({exc})") from exc
        self._db = db
        return self

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            await db.close()

    async def __aenter__(self) -> Registry:
        return await self.open()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RegistryError(f"{self.path}: the registry is not open (use `async with Registry(...)`)")
        return self._db

    async def record_look(self, fingerprint: str, game: str, pids: Iterable[int]) -> int:
        """Store the PIDs that share a look; already known pairs are skipped. Returns how many were new."""
        rows = [(_check_fingerprint(fingerprint), _check_pid(pid), game) for pid in pids]
        async with self._write_lock:
            before = self._conn.total_changes
            await self._conn.executemany(
                "INSERT OR IGNORE INTO looks (fingerprint, pid, game) VALUES (?, ?, ?)", rows
            )
            await self._conn.commit()
            return self._conn.total_changes - before

    async def pids_for(self, fingerprint: str) -> list[int]:
        """The PIDs recorded for a look, ascending; empty when the look was never recorded."""
        rows = await self._conn.execute_fetchall(
            "SELECT pid FROM looks WHERE fingerprint = ? ORDER BY pid", (fingerprint,)
        )
        return [int(row[0]) for row in rows]

    async def add_sighting(
        self,
        *,
        fingerprint: str,
        pid: int,
        game: str,
        source: str,
        confidence: float,
        user_id: int | None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        message_id: int | None = None,
    ) -> Sighting:
        if not 0.0 <= confidence <= 1.0:
            raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
        created_at = datetime.now(UTC)
        values = (
            _check_fingerprint(fingerprint), _check_pid(pid), game, source,
            guild_id, channel_id, message_id, user_id, confidence, created_at.isoformat(),
        )  # fmt: skip
        async with self._write_lock:
            cursor = await self._conn.execute(
                f"INSERT INTO sightings ({_SIGHTING_COLUMNS.removeprefix('id, ')}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            await self._conn.commit()
        assert cursor.lastrowid is not None
        return Sighting(
            cursor.lastrowid,
            fingerprint,
            pid,
            game,
            source,
            guild_id,
            channel_id,
            message_id,
            user_id,
            confidence,
            created_at,
        )

    async def sightings_for_user(self, user_id: int, limit: int = 10) -> list[Sighting]:
        """A user's most recent sightings, newest first."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        rows = await self._conn.execute_fetchall(
            f"SELECT {_SIGHTING_COLUMNS} FROM sightings WHERE user_id = ? ORDER BY id DESC LIMIT ?",
            (user_id, limit),
        )
        return [
            Sighting(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                row[8],
                row[9],
                datetime.fromisoformat(row[10]),
            )
            for row in rows
        ]

    async def forget_user(self, user_id: int) -> int:
        """Delete every sighting the user made; returns how many were deleted."""
        async with self._write_lock:
            cursor = await self._conn.execute("DELETE FROM sightings WHERE user_id = ?", (user_id,))
            await self._conn.commit()
        return cursor.rowcount

    async def seen_count(self, fingerprint: str, guild_id: int | None) -> int:
        """How many sightings of this look a server has (guild_id None: outside any server)."""
        rows = list(
            await self._conn.execute_fetchall(
                "SELECT COUNT(*) FROM sightings WHERE fingerprint = ? AND guild_id IS ?",
                (fingerprint, guild_id),
            )
        )
        return int(rows[0][0])
