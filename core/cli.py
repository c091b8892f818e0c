"""The `spinda` command line: a thin adapter over core/, with a stable output contract for other tools."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from core.assets import (
    AssetPackError,
    default_pack,
    import_pack,
    imported_from,
    pack_status,
    remove_imported_pack,
)
from core.fingerprint import FingerprintError, LookIndex, fingerprint_family
from core.games import RENDERABLE, GameFamily, UnknownGameError, game_family, renderable_family
from core.inference import ModelError
from core.pid import COORDINATE_NAMES, InvalidPidError, format_pid, parse_pid, traits
from core.pipeline import Identification, Identifier
from core.registry import Registry, RegistryError
from core.render import SpindaRenderer


class CommandError(Exception):
    """A problem with the user's input, reported as one line and exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage dump: scripts parse stderr, and people read the first line.
        self.exit(2, f"spinda: error: {message} (see `{self.prog} --help`)\n")


def _pid(text: str) -> int:
    try:
        return parse_pid(text)
    except InvalidPidError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _game(text: str) -> GameFamily:
    try:
        return game_family(text)
    except UnknownGameError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _identify_game(text: str) -> str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return renderable_family(_game(text).key).key
    except UnknownGameError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _top(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 50:
        raise argparse.ArgumentTypeError(f"invalid --top {text!r}: use a whole number from 0 to 50")
    return int(text)


def _scale(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 32:
        raise argparse.ArgumentTypeError(f"invalid scale {text!r}: use a whole number from 1 to 32")
    return int(text)


def _trainer_id(text: str) -> int:
    if not text.isdigit() or int(text) > 0xFFFF:
        raise argparse.ArgumentTypeError(f"invalid ID {text!r}: use a whole number from 0 to 65535")
    return int(text)


def _renderer(family: GameFamily, assets: Path | None) -> SpindaRenderer:
    try:
        return SpindaRenderer(default_pack(renderable_family(family.key), assets))
    except UnknownGameError as exc:
        raise CommandError(str(exc)) from exc


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def cmd_render(args: argparse.Namespace) -> None:
    renderer = _renderer(args.game, args.assets)
    out: Path = args.output
    if len(args.pids) == 1 and out.suffix.lower() == ".png":
        targets = [(args.pids[0], out)]
    else:
        targets = [(pid, out / f"{format_pid(pid)}.png") for pid in args.pids]
    for pid, path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        renderer.image(pid, shiny=args.shiny, scale=args.scale).save(path)
        print(path)


def cmd_fingerprint(args: argparse.Namespace) -> None:
    index = LookIndex(_renderer(args.game, args.assets))
    rows = [["PID", "FINGERPRINT", "SIBLINGS"]]
    for pid in args.pids:
        look = index.classify(pid)
        if args.json:
            print(json.dumps({"pid": format_pid(pid), "fingerprint": look.fingerprint}))
        else:
            rows.append([format_pid(pid), look.fingerprint, str(len(look.pids))])
    if not args.json:
        _print_table(rows)


def cmd_lookup(args: argparse.Namespace) -> None:
    family = game_family(fingerprint_family(args.fingerprint))
    index = LookIndex(_renderer(family, args.assets))
    pids = index.lookup(args.fingerprint)
    fingerprint = index.fingerprint(pids[0])
    if args.json:
        print(
            json.dumps(
                {"fingerprint": fingerprint, "game": family.key, "pids": [format_pid(p) for p in pids]}
            )
        )
        return
    print(f"{fingerprint}  {family.key}  {len(pids)} PID{'s' if len(pids) != 1 else ''} with this look")
    for start in range(0, len(pids), 8):
        print("  " + " ".join(format_pid(p) for p in pids[start : start + 8]))


def cmd_traits(args: argparse.Namespace) -> None:
    if (args.tid is None) != (args.sid is None):
        raise CommandError("shininess needs both --tid and --sid")
    found = traits(args.pid, args.game, args.tid, args.sid)
    record = {
        "pid": format_pid(found.pid),
        "game": found.game,
        "nature": found.nature,
        "gender": found.gender,
        "ability": found.ability,
        "shiny": found.shiny,
        "coordinates": dict(zip(COORDINATE_NAMES, found.coordinates, strict=True)),
    }
    if args.json:
        print(json.dumps(record))
        return
    unknown = "not decided by this value"
    rows = [
        ["PID", record["pid"]],
        ["game", args.game.title],
        ["nature", found.nature or unknown],
        ["gender", found.gender or unknown],
        ["ability", found.ability or unknown],
        ["shiny", "needs --tid and --sid" if found.shiny is None else ("yes" if found.shiny else "no")],
        [
            "spots (x, y)",
            "  ".join(f"({found.coordinates[2 * i]},{found.coordinates[2 * i + 1]})" for i in range(4)),
        ],
    ]
    _print_table(rows)


async def _record(results: Sequence[Identification], registry_path: Path | None) -> None:
    """Every identification stores its look's complete class and a sighting, as the bot does."""
    async with Registry(registry_path) as registry:
        for result in results:
            if result.status == "ok" and result.pid is not None and result.fingerprint and result.game:
                await registry.record_look(result.fingerprint, result.game, result.siblings)
                await registry.add_sighting(
                    fingerprint=result.fingerprint,
                    pid=result.pid,
                    game=result.game,
                    source=f"cli:{result.path}",
                    confidence=result.confidence,
                    user_id=None,
                )


def cmd_identify(args: argparse.Namespace) -> int:
    try:
        identifier = Identifier(game=args.game, assets=args.assets, model_path=args.model, top_k=args.top)
    except ModelError as exc:
        raise CommandError(str(exc)) from exc
    results = [identifier.identify_path(path) for path in args.images]
    if not args.no_registry:
        asyncio.run(_record(results, args.registry))
    if args.json:
        for result in results:
            print(json.dumps(result.to_json()))
    else:
        rows = [["IMAGE", "STATUS", "PID", "GAME", "CONFIDENCE", "FINGERPRINT", "SIBLINGS", "NOTE"]]
        for result in results:
            if result.status == "ok" and result.pid is not None:
                rows.append([
                    result.path, "ok", format_pid(result.pid), result.game or "", f"{result.confidence:.3f}",
                    result.fingerprint or "", str(len(result.siblings)), result.message,
                ])  # fmt: skip
            else:
                rows.append([result.path, result.status, "-", "-", "-", "-", "-", result.message])
        _print_table(rows)
    # Every picture is answered; the exit status still tells scripts whether any file was unusable.
    return 1 if any(result.status == "error" for result in results) else 0


def cmd_assets_import(args: argparse.Namespace) -> None:
    family = renderable_family(args.game.key)
    pack = import_pack(args.source, family)
    shiny = "normal and shiny palettes" if pack.shiny is not None else "normal palette only (no shiny.pal)"
    print(f"imported {family.key} pack from {args.source} into {pack.source}: {shiny}; now used by default")


def cmd_assets_status(args: argparse.Namespace) -> None:
    rows = [["GAME", "PACK", "FOLDER", "IMPORTED FROM"]]
    for key in RENDERABLE:
        family = game_family(key)
        status = pack_status(family)
        rows.append([key, status.name, str(status.path), imported_from(family) or "-"])
    _print_table(rows)


def cmd_assets_reset(args: argparse.Namespace) -> None:
    family = renderable_family(args.game.key)
    if remove_imported_pack(family):
        print(f"removed the imported {family.key} pack; the project's default art is used again")
    else:
        print(f"no imported {family.key} pack; the project's default art is already in use")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="spinda", description="Identify and render Spinda spot patterns.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(
        name: str, handler: Callable[[argparse.Namespace], int | None], help_text: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    def game_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--game", type=_game, default=game_family("gen3"), help="gen3 (default), gen4, or a game name"
        )

    def assets_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--assets", type=Path, help="draw with the asset pack in this folder")

    render = add("render", cmd_render, "Render the expected sprite of one or more PIDs as PNG.")
    render.add_argument("pids", nargs="+", type=_pid, metavar="PID")
    game_option(render)
    assets_option(render)
    render.add_argument("--shiny", action="store_true", help="use the shiny palette")
    render.add_argument("--scale", type=_scale, default=1, help="nearest-neighbour enlargement (default 1)")
    render.add_argument(
        "-o", "--output", type=Path, required=True, help="PNG file for one PID, else a folder"
    )

    fingerprint = add("fingerprint", cmd_fingerprint, "Print the fingerprint of each PID's look.")
    fingerprint.add_argument("pids", nargs="+", type=_pid, metavar="PID")
    game_option(fingerprint)
    assets_option(fingerprint)
    fingerprint.add_argument("--json", action="store_true", help="one JSON object per line")

    lookup = add("lookup", cmd_lookup, "List every PID with the look a fingerprint names.")
    lookup.add_argument("fingerprint")
    assets_option(lookup)
    lookup.add_argument("--json", action="store_true", help="one JSON object")

    trait = add("traits", cmd_traits, "Nature, gender, ability, shininess and spot coordinates of a PID.")
    trait.add_argument("pid", type=_pid, metavar="PID")
    game_option(trait)
    trait.add_argument("--tid", type=_trainer_id, help="trainer ID, for shininess")
    trait.add_argument("--sid", type=_trainer_id, help="secret ID, for shininess")
    trait.add_argument("--json", action="store_true", help="one JSON object")

    identify = add(
        "identify", cmd_identify, "Identify the Spinda in each screenshot: its PID, look and siblings."
    )
    identify.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    identify.add_argument("--game", type=_identify_game, default="auto", help="auto (default), gen3 or gen4")
    assets_option(identify)
    identify.add_argument("--top", type=_top, default=5, help="next-best distinct looks to list (default 5)")
    identify.add_argument(
        "--model", type=Path, help="a checkpoint file or a folder of them (default models/)"
    )
    identify.add_argument("--registry", type=Path, help="registry file (default data/spinda_registry.db)")
    identify.add_argument("--no-registry", action="store_true", help="do not record the identifications")
    identify.add_argument("--json", action="store_true", help="one JSON object per image per line")

    assets = commands.add_parser("assets", help="Import the games' own sprites, or see which art is in use.")
    assets_commands = assets.add_subparsers(dest="assets_command", required=True, parser_class=_Parser)
    importer = assets_commands.add_parser(
        "import",
        help="Import a folder laid out like the games' data (or a pret checkout) as the user pack.",
    )
    importer.set_defaults(handler=cmd_assets_import)
    importer.add_argument("source", type=Path, metavar="DIR")
    importer.add_argument("--game", type=_game, required=True, help="gen3 or gen4")
    status = assets_commands.add_parser("status", help="Which pack each game family is drawn with.")
    status.set_defaults(handler=cmd_assets_status)
    reset = assets_commands.add_parser(
        "reset", help="Remove the imported pack and use the default art again."
    )
    reset.set_defaults(handler=cmd_assets_reset)
    reset.add_argument("--game", type=_game, required=True, help="gen3 or gen4")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int | None = args.handler(args)
    except (CommandError, AssetPackError, FingerprintError, RegistryError, ValueError, OSError) as exc:
        print(f"spinda: error: {exc}", file=sys.stderr)
        return 1
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
