"""Shared fixtures. The games' own data is read from ../shared/reference when it is there, never copied."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE_DIR = Path(
    os.environ.get("SPINDA_REFERENCE_DIR", Path(__file__).resolve().parents[2] / "shared" / "reference")
)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The games' reference data; tests that need it skip with the reason when it is absent."""
    if not (REFERENCE_DIR / "README.md").exists():
        pytest.skip(f"the games' reference data is not at {REFERENCE_DIR} (set SPINDA_REFERENCE_DIR)")
    return REFERENCE_DIR


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the user's imported packs and registry under data/."""
    monkeypatch.setenv("SPINDA_DATA_DIR", str(tmp_path_factory.mktemp("data")))
