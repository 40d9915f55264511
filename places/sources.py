"""Where the real public data files live, and a clear error when one is missing.

Loaders read only from ``settings.TPI_DATA_DIR`` (one folder per source, each with a
SOURCE.md); nothing is fetched from the network.
"""

import hashlib
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings


class DataFileMissingError(FileNotFoundError):
    """A source file the loader needs is not in the data directory."""


def data_dir() -> Path:
    return Path(settings.TPI_DATA_DIR)


def data_file(relative: str, *, base: Path | None = None) -> Path:
    """The path of a source file, or DataFileMissingError naming it and the setting to change."""
    root = base if base is not None else data_dir()
    path = root / relative
    if not path.is_file():
        raise DataFileMissingError(
            f"Missing data file: {path}. The loaders read the public data from TPI_DATA_DIR "
            f"(now {root}); set it to the folder that holds '{relative.split('/')[0]}/'."
        )
    return path


def checksum(paths: Iterable[Path], *, include_names: bool = True) -> str:
    """SHA-256 over the files' bytes (and names): changes whenever any input changes.

    Uploaded files are hashed on content alone, since storage renames duplicates.
    """
    digest = hashlib.sha256()
    for path in sorted(paths):
        if include_names:
            digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
