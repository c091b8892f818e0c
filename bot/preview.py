"""`spinda-bot preview`: the reply the bot would send for local images, built offline by the live code path.

Each image goes through SpindaService.identify exactly as an attachment does (the same checks, pipeline,
narrowing, registry writes and reply builder); only the last step differs: the reply is written to disk
instead of being sent. The registry is a throwaway one, so previews leave no sightings behind.
"""

from __future__ import annotations

import json
import mimetypes
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.executor import BoundedExecutor
from bot.replies import Reply
from bot.service import IdentifierFactory, Requester, SpindaService, pipeline_identifiers
from core.registry import Registry


@dataclass(frozen=True)
class LocalUpload:
    """A file on disk presented the way a Discord attachment is."""

    path: Path

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def content_type(self) -> str | None:
        return mimetypes.guess_type(self.path.name)[0]

    async def read(self) -> bytes:
        return self.path.read_bytes()


def write_reply(reply: Reply, out_dir: Path, stem: str) -> dict[str, Any]:
    """The reply as one JSON-ready object; its files are written under out_dir, named after the image."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for file in reply.files:
        path = out_dir / f"{stem}--{file.filename}"
        path.write_bytes(file.data)
        paths.append(str(path))
    return {
        "content": reply.content,
        "embeds": [embed.to_dict() for embed in reply.embeds],
        "files": paths,
        "ephemeral": reply.ephemeral,
    }


def _describe(image: Path, shown: dict[str, Any]) -> str:
    lines = [f"== {image}"]
    if shown["content"]:
        lines.append(shown["content"])
    for embed in shown["embeds"]:
        lines.append(f"[{embed.get('title', '')}]")
        if embed.get("description"):
            lines.append(embed["description"])
        lines += [f"  {field['name']}: {field['value']}" for field in embed.get("fields", [])]
        if "footer" in embed:
            lines.append(f"  ({embed['footer']['text']})")
    lines += [f"  file: {path}" for path in shown["files"]]
    return "\n".join(lines)


async def preview(
    images: Sequence[Path],
    out_dir: Path,
    as_json: bool,
    settings: Settings,
    stdout: TextIO,
    stderr: TextIO,
    identifiers: IdentifierFactory | None = None,
) -> int:
    """Print one reply per image; returns the exit status (1 when an image could not be read at all)."""
    status = 0
    with tempfile.TemporaryDirectory(prefix="spinda-preview-") as scratch:
        service = SpindaService(
            registry=Registry(Path(scratch) / "preview.db"),
            executor=BoundedExecutor(settings.workers, settings.queue_size),
            identifiers=identifiers or pipeline_identifiers(settings.assets, settings.model_path),
            max_attachment_bytes=settings.max_attachment_bytes,
        )
        async with service:
            for image in images:
                if not image.is_file():
                    print(f"spinda-bot preview: {image}: no such file", file=stderr)
                    status = 1
                    continue
                outcome = await service.identify(LocalUpload(image), Requester("preview", user_id=None))
                shown = write_reply(outcome.reply, out_dir, image.stem)
                print(json.dumps(shown) if as_json else _describe(image, shown), file=stdout)
    return status
