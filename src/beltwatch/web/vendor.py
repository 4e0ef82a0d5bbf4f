"""The map's third-party scripts and styles: fetched from the npm registry at install time, never committed.

`make install` runs `python -m beltwatch.web.vendor`, which packs each pinned package with
`npm pack` (the npm client checks the registry's integrity hash; this module checks it again against
the one pinned here), and extracts the files the map needs, with the package's licence, into
`web/static/vendor/<name>/` (ignored by git). The map page uses them when they are all there
(`assets`) and falls back to the server-drawn SVG map, saying why, when they are not.

- Leaflet (BSD-2-Clause): pans, zooms and draws vector layers with its SVG renderer, so it needs
  neither WebGL nor a tile server (MapLibre GL JS needs WebGL, which headless and older browsers
  often lack, and is several times the size).
- Leaflet.markercluster (MIT): clusters dense events by zoom level and spreads out the events of
  one place ("spiderfies") on click, which a grid of our own would not do.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).parent / "static" / "vendor"
URL = "/static/vendor"
COMPLETE = ".complete"  # written last: a folder without it is an interrupted install


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # the registry's sha512 of the tarball
    licence: str  # the licence file in the tarball
    scripts: tuple[str, ...]  # in load order
    styles: tuple[str, ...]
    other: tuple[str, ...] = ()  # images the styles refer to, at their relative paths

    def files(self) -> tuple[str, ...]:
        return (self.licence, *self.scripts, *self.styles, *self.other)


PACKAGES = (
    Package(
        "leaflet",
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        "LICENSE",
        ("dist/leaflet.js",),
        ("dist/leaflet.css",),
        ("dist/images/layers.png", "dist/images/layers-2x.png"),
    ),
    Package(
        "leaflet.markercluster",
        "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        "MIT-LICENCE.txt",
        ("dist/leaflet.markercluster.js",),
        ("dist/MarkerCluster.css", "dist/MarkerCluster.Default.css"),
    ),
)


@dataclass(frozen=True)
class Assets:
    """URLs of the vendored scripts (in load order) and styles."""

    scripts: tuple[str, ...]
    styles: tuple[str, ...]


def assets(folder: Path = VENDOR) -> Assets | None:
    """The vendored files' URLs when every package is installed in `folder`, else None."""
    if not (folder / COMPLETE).is_file():
        return None
    for package in PACKAGES:
        if not all((folder / package.name / name).is_file() for name in package.files()):
            return None
    return Assets(
        scripts=tuple(f"{URL}/{p.name}/{name}" for p in PACKAGES for name in p.scripts),
        styles=tuple(f"{URL}/{p.name}/{name}" for p in PACKAGES for name in p.styles),
    )


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def pack(package: Package, workdir: Path) -> bytes:
    """The package's tarball, from the npm registry through the npm client."""
    spec = f"{package.name}@{package.version}"
    done = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    filename = json.loads(done.stdout)[0]["filename"]
    data = (workdir / filename).read_bytes()
    if integrity(data) != package.integrity:
        raise SystemExit(f"{spec}: the tarball's sha512 is not the pinned one")
    return data


def extract(package: Package, tarball: bytes, folder: Path) -> None:
    """The package's wanted files (and nothing else) into `folder/<name>/`, at their paths in the package."""
    target = folder / package.name
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for name in package.files():
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise SystemExit(f"{package.name}: no file {name} in the tarball")
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(member.read())


def install(folder: Path = VENDOR) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for package in PACKAGES:
            extract(package, pack(package, Path(tmp)), folder)
    versions = {p.name: p.version for p in PACKAGES}
    (folder / COMPLETE).write_text(json.dumps(versions, indent=1) + "\n", encoding="utf-8")


def main() -> int:
    if shutil.which("npm") is None:
        print("npm is needed to fetch the map's scripts (apt-get install npm)", file=sys.stderr)
        return 1
    install()
    print(f"map scripts installed in {VENDOR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
