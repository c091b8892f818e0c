from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from core.registry import Registry, RegistryError, default_registry_path


async def test_created_on_first_use_in_wal_mode_at_the_default_path() -> None:
    path = default_registry_path()
    assert not path.exists()
    async with Registry() as registry:
        assert registry.path == path
    assert path.exists()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "looks_by_fingerprint" in indexes


async def test_record_look_is_idempotent(tmp_path: Path) -> None:
    async with Registry(tmp_path / "r.db") as registry:
        assert await registry.record_look("3AB-0000000X", "gen3", [5, 1, 3]) == 3
        assert await registry.record_look("3AB-0000000X", "gen3", [3, 1, 7]) == 1
        assert await registry.pids_for("3AB-0000000X") == [1, 3, 5, 7]
        assert await registry.pids_for("3AB-0000001Y") == []


async def test_sightings_history_newest_first_and_forget(tmp_path: Path) -> None:
    async with Registry(tmp_path / "r.db") as registry:
        for n in range(4):
            await registry.add_sighting(
                fingerprint=f"fp{n}", pid=n, game="gen3", source="slash", confidence=0.5,
                user_id=1, guild_id=10, channel_id=20, message_id=30 + n,
            )  # fmt: skip
        other = await registry.add_sighting(
            fingerprint="fp0", pid=0, game="gen4", source="watch", confidence=1.0, user_id=2
        )
        history = await registry.sightings_for_user(1, limit=3)
        assert [s.message_id for s in history] == [33, 32, 31]
        assert history[0].created_at.tzinfo is not None
        assert (await registry.sightings_for_user(2))[0] == other
        assert await registry.forget_user(1) == 4
        assert await registry.sightings_for_user(1) == []
        assert await registry.forget_user(1) == 0
        assert [s.id for s in await registry.sightings_for_user(2)] == [other.id]


async def test_seen_count_is_per_server(tmp_path: Path) -> None:
    async with Registry(tmp_path / "r.db") as registry:
        for guild in (10, 10, 11, None):
            await registry.add_sighting(
                fingerprint="fp",
                pid=1,
                game="gen3",
                source="slash",
                confidence=0.9,
                user_id=1,
                guild_id=guild,
            )
        assert await registry.seen_count("fp", 10) == 2
        assert await registry.seen_count("fp", 11) == 1
        assert await registry.seen_count("fp", None) == 1
        assert await registry.seen_count("other", 10) == 0


async def test_bad_values_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    async with Registry(tmp_path / "r.db") as registry:
        with pytest.raises(ValueError, match="outside"):
            await registry.record_look("fp", "gen3", [1, 2**32])
        with pytest.raises(ValueError, match="confidence"):
            await registry.add_sighting(
                fingerprint="fp", pid=1, game="gen3", source="s", confidence=1.5, user_id=1
            )
        with pytest.raises(ValueError, match="empty"):
            await registry.add_sighting(
                fingerprint=" ", pid=1, game="gen3", source="s", confidence=1, user_id=1
            )
        with pytest.raises(ValueError, match="limit"):
            await registry.sightings_for_user(1, limit=0)
        assert await registry.pids_for("fp") == []
        assert await registry.sightings_for_user(1) == []


async def test_unusable_file_and_closed_registry_give_clear_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RegistryError, match=r"junk\.db: not a usable registry"):
        await Registry(junk).open()
    assert junk.read_bytes() == b"this is not sqlite" * 100
    registry = Registry(tmp_path / "r.db")
    with pytest.raises(RegistryError, match="not open"):
        await registry.pids_for("fp")


async def _identification_writes(registry: Registry, n: int) -> None:
    """What the bot writes for one identification: the look's PIDs, then the sighting."""
    look = f"fp{n % 10}"
    await registry.record_look(look, "gen3", range(n % 10, n % 10 + 20))
    await registry.add_sighting(
        fingerprint=look, pid=n % 10, game="gen3", source="slash", confidence=0.8,
        user_id=n % 7, guild_id=n % 3, channel_id=1, message_id=1000 + n,
    )  # fmt: skip


async def test_fifty_concurrent_identifications_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    # Two connections to one file, as when the CLI writes while the bot runs.
    async with Registry(path) as bot, Registry(path) as cli:
        await asyncio.gather(*(_identification_writes(bot if n % 2 else cli, n) for n in range(50)))
        for look in range(10):
            assert await bot.pids_for(f"fp{look}") == list(range(look, look + 20))
    with sqlite3.connect(path) as db:
        message_ids = sorted(row[0] for row in db.execute("SELECT message_id FROM sightings"))
        look_rows = db.execute("SELECT COUNT(*) FROM looks").fetchone()[0]
    assert message_ids == list(range(1000, 1050))
    assert look_rows == 10 * 20
