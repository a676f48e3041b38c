#!/usr/bin/env python3
"""Build src/wowdesk/web/static/web/icons.svg: the Heroicons (MIT) the workspace uses, as one
SVG sprite of <symbol id="NAME">. Reads the icons from the heroicons wheel (or its inner
heroicons.zip) given as the argument; the wheel is not a dependency of the project.

Usage: python scripts/build_icon_sprite.py path/to/heroicons-*.whl
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

STYLE = "mini"  # the 20x20 solid set
# The icons the templates use ({% icon "name" %}), each a Heroicons name.
ICONS = [
    "arrow-path",
    "arrow-uturn-left",
    "bars-3",
    "chat-bubble-left-right",
    "check",
    "check-circle",
    "chevron-left",
    "clock",
    "code-bracket",
    "computer-desktop",
    "document-text",
    "envelope",
    "exclamation-triangle",
    "eye",
    "face-frown",
    "face-smile",
    "globe-alt",
    "inbox",
    "inbox-stack",
    "information-circle",
    "magnifying-glass",
    "moon",
    "paper-airplane",
    "pause-circle",
    "pencil-square",
    "phone",
    "sun",
    "user-circle",
    "user-plus",
    "users",
    "x-mark",
]
OUT = Path(__file__).resolve().parent.parent / "src/wowdesk/web/static/web/icons.svg"


def _inner_zip(path: Path) -> zipfile.ZipFile:
    outer = zipfile.ZipFile(path)
    if "heroicons/heroicons.zip" in outer.namelist():
        return zipfile.ZipFile(io.BytesIO(outer.read("heroicons/heroicons.zip")))
    return outer


def symbol(name: str, svg: str) -> str:
    view_box = re.search(r'viewBox="([^"]+)"', svg)
    body = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S)
    if not view_box or not body:
        raise ValueError(f"{name}: not an icon")
    paths = " ".join(line.strip() for line in body.group(1).strip().splitlines())
    return f'<symbol id="{name}" viewBox="{view_box.group(1)}">{paths}</symbol>'


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    icons = _inner_zip(Path(argv[1]))
    symbols = [symbol(n, icons.read(f"{STYLE}/{n}.svg").decode()) for n in ICONS]
    OUT.write_text(
        "<!-- Heroicons (MIT, Tailwind Labs), see vendor/heroicons-LICENSE.txt; "
        "built by scripts/build_icon_sprite.py -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg" fill="currentColor">\n'
        + "\n".join(symbols)
        + "\n</svg>\n"
    )
    print(f"{OUT}: {len(symbols)} icons")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
