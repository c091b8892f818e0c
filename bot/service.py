"""Everything a command does, between receiving its arguments and handing back a Reply.

Slash commands, the context menu, watched channels and `spinda-bot preview` all call these methods, so
the offline preview runs the very code the live handlers run. Blocking work (the pipeline, rendering,
sibling sets) goes through the one bounded executor; the registry is awaited on the loop. Use it as
`async with SpindaService(...)`: opening loads the pipeline, so missing art or a bad model stops the start.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot import replies
from bot.executor import BoundedExecutor, WorkQueueFull
from bot.narrowing import Answer, Wanted, narrow
from bot.replies import Reply
from core.assets import AssetPackError
from core.fingerprint import FingerprintError, LookIndex, fingerprint_family
from core.games import GameFamily, UnknownGameError, renderable_family
from core.inference import ModelError
from core.pid import InvalidPidError, parse_pid, traits
from core.pipeline import Identification, Identifier
from core.registry import Registry

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp"})
RENDER_SCALE = 4


class Upload(Protocol):
    """An uploaded file: discord.Attachment, or a local file in the preview."""

    @property
    def filename(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def content_type(self) -> str | None: ...
    async def read(self) -> bytes: ...


class SupportsIdentify(Protocol):
    """What the service needs of core.pipeline.Identifier (tests substitute a scripted one)."""

    @property
    def looks(self) -> dict[str, LookIndex]: ...
    def identify_bytes(self, data: bytes, source: str) -> Identification: ...


class ServiceError(RuntimeError):
    """The pipeline cannot be set up (missing art or model); the message says which file and why."""


IdentifierFactory = Callable[[str], SupportsIdentify]
# Called once the input is valid and before the slow part: the live handlers defer the interaction
# there, so mistakes are still answered privately and at once.
Accepted = Callable[[], Awaitable[object]] | None


@dataclass(frozen=True)
class Requester:
    """Who asked and where, as plain ids (None where there is no such place, as in DMs or the preview)."""

    source: str  # slash, menu, watch or preview
    user_id: int | None
    guild_id: int | None = None
    channel_id: int | None = None
    message_id: int | None = None


@dataclass(frozen=True)
class IdentifyOutcome:
    reply: Reply
    identified: bool  # False for every answer that is not a Spinda's PID; watched channels stay quiet then


@dataclass(frozen=True)
class _Identified:
    identification: Identification
    family: GameFamily
    answer: Answer
    picture: bytes


def upload_type(upload: Upload) -> str | None:
    """The declared content type, else the one the file name implies."""
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    return declared or mimetypes.guess_type(upload.filename)[0]


def is_image(upload: Upload) -> bool:
    return upload_type(upload) in IMAGE_TYPES


def pipeline_identifiers(assets: Path | None, model_path: Path | None) -> IdentifierFactory:
    return lambda game: Identifier(game=game, assets=assets, model_path=model_path)


class SpindaService:
    def __init__(
        self,
        *,
        registry: Registry,
        executor: BoundedExecutor,
        identifiers: IdentifierFactory,
        max_attachment_bytes: int,
    ) -> None:
        self.registry = registry
        self.executor = executor
        self.max_attachment_bytes = max_attachment_bytes
        self._make_identifier = identifiers
        # Built on first use inside worker threads (loading a model or a pack blocks), hence the lock.
        self._lock = threading.Lock()
        self._identifiers: dict[str, SupportsIdentify] = {}

    async def open(self) -> None:
        """Open the registry and load the pipeline now, so a missing pack or model stops the start."""
        try:
            await self.executor.run(self._identifier, "auto")
        except (AssetPackError, ModelError, FileNotFoundError) as exc:
            raise ServiceError(f"cannot load the identification pipeline: {exc}") from exc
        await self.registry.open()

    async def close(self) -> None:
        """Finish running jobs (queued ones are dropped), then close the registry."""
        self.executor.shutdown()
        await self.registry.close()

    async def __aenter__(self) -> SpindaService:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _identifier(self, game: str) -> SupportsIdentify:
        with self._lock:
            if game not in self._identifiers:
                self._identifiers[game] = self._make_identifier(game)
            return self._identifiers[game]

    def look_index(self, family: GameFamily) -> LookIndex:
        """The pipeline's own index, so every fingerprint shown is made with the art it identifies with."""
        return self._identifier("auto").looks[family.key]

    # -- identify -------------------------------------------------------------------------------------

    def check_upload(self, upload: Upload) -> Reply | None:
        """Why an upload cannot be identified, decided before downloading it; None when it can."""
        if not is_image(upload):
            kind = upload_type(upload) or "an unknown type"
            return replies.problem(
                f"`{upload.filename}` is {kind}, not a picture I can read: "
                "send a PNG, JPEG, WebP, GIF or BMP."
            )
        if upload.size > self.max_attachment_bytes:
            return replies.problem(
                f"`{upload.filename}` is {upload.size / 2**20:.1f} MB; I read pictures up to "
                f"{self.max_attachment_bytes / 2**20:.0f} MB. A plain screenshot is far smaller."
            )
        if upload.size == 0:
            return replies.problem(f"`{upload.filename}` is empty.")
        return None

    def _identify_job(
        self, data: bytes, source: str, game: str, wanted: Wanted
    ) -> _Identified | Identification:
        found = self._identifier(game).identify_bytes(data, source)
        if found.status != "ok" or found.pid is None or found.fingerprint is None or found.game is None:
            return found
        family = renderable_family(found.game)
        looks = self.look_index(family)
        answer = narrow(
            found.pid, found.fingerprint, found.siblings, found.confidence, found.candidates, wanted, looks
        )
        shiny = found.shiny and looks.renderer.pack.shiny is not None
        render = looks.renderer.image(answer.pid, shiny=shiny)
        return _Identified(found, family, answer, replies.side_by_side(found.crop, render))

    async def identify(
        self,
        upload: Upload,
        requester: Requester,
        game: str = "auto",
        wanted: Wanted | None = None,
        accepted: Accepted = None,
    ) -> IdentifyOutcome:
        rejected = self.check_upload(upload)
        if rejected is not None:
            return IdentifyOutcome(rejected, identified=False)
        # Checked before accepting too: once a public "thinking" placeholder is up, Discord cannot make
        # the answer private any more.
        if self.executor.full:
            return IdentifyOutcome(replies.busy(), identified=False)
        if accepted is not None:
            await accepted()
        data = await upload.read()
        try:
            result = await self.executor.run(
                self._identify_job, data, upload.filename, game, wanted or Wanted()
            )
        except WorkQueueFull:
            log.warning(
                "identification refused, queue full (user %s, guild %s)",
                requester.user_id,
                requester.guild_id,
            )
            return IdentifyOutcome(replies.busy(), identified=False)
        if not isinstance(result, _Identified):
            if result.status == "no_spinda":
                return IdentifyOutcome(replies.not_found(upload.filename, result.message), identified=False)
            return IdentifyOutcome(replies.unreadable(upload.filename, result.message), identified=False)
        found, answer = result.identification, result.answer
        await self.registry.record_look(answer.fingerprint, result.family.key, answer.look_pids)
        await self.registry.add_sighting(
            fingerprint=answer.fingerprint, pid=answer.pid, game=result.family.key, source=requester.source,
            confidence=answer.confidence, user_id=requester.user_id, guild_id=requester.guild_id,
            channel_id=requester.channel_id, message_id=requester.message_id,
        )  # fmt: skip
        seen = await self.registry.seen_count(answer.fingerprint, requester.guild_id)
        reply = replies.identified(
            answer,
            traits(answer.pid, result.family),
            result.family,
            found.shiny,
            found.candidates,
            seen,
            result.picture,
        )
        return IdentifyOutcome(reply, identified=True)

    # -- lookup and pid -------------------------------------------------------------------------------

    async def lookup(self, fingerprint: str, guild_id: int | None, accepted: Accepted = None) -> list[Reply]:
        """The pages listing every PID with a look; one ephemeral page when the fingerprint is wrong."""
        text = fingerprint.strip().upper()
        try:
            family = renderable_family(fingerprint_family(text))
            if accepted is not None:
                await accepted()
            pids = await self.registry.pids_for(text)
            if not pids:
                # Typed fingerprints may use look-alike letters; the registry keeps the canonical spelling.
                text, pids = await self.executor.run(self._look_members, family, text)
                await self.registry.record_look(text, family.key, pids)
        except (FingerprintError, UnknownGameError, AssetPackError) as exc:
            return [replies.problem(str(exc))]
        except WorkQueueFull:
            return [replies.busy()]
        seen = await self.registry.seen_count(text, guild_id)
        return [Reply(embeds=(page,)) for page in replies.lookup_pages(text, family, pids, seen)]

    def _look_members(self, family: GameFamily, fingerprint: str) -> tuple[str, list[int]]:
        looks = self.look_index(family)
        pids = looks.lookup(fingerprint)
        return looks.fingerprint(pids[0]), pids

    def _pid_job(self, pid: int, family: GameFamily, shiny: bool) -> Reply:
        looks = self.look_index(family)
        siblings = looks.siblings(pid)
        picture = replies.png_bytes(looks.renderer.image(pid, shiny=shiny, scale=RENDER_SCALE))
        fingerprint = looks.fingerprint(pid)
        return replies.pid_card(traits(pid, family), family, shiny, fingerprint, len(siblings), picture)

    async def render_pid(self, hex_text: str, game: str, shiny: bool, accepted: Accepted = None) -> Reply:
        try:
            pid = parse_pid(hex_text)
            family = renderable_family(game)
            if self.executor.full:
                return replies.busy()
            if accepted is not None:
                await accepted()
            return await self.executor.run(self._pid_job, pid, family, shiny)
        except (InvalidPidError, UnknownGameError, AssetPackError) as exc:
            return replies.problem(str(exc))
        except WorkQueueFull:
            return replies.busy()

    # -- the user's own data -------------------------------------------------------------------------

    async def history(self, user_id: int, limit: int = 10) -> Reply:
        return replies.history(await self.registry.sightings_for_user(user_id, limit))

    async def forget(self, user_id: int) -> Reply:
        return replies.forgotten(await self.registry.forget_user(user_id))
