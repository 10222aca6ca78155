"""Fixtures for the data-layer tests: a private data directory per test, and a real HTTP
server on 127.0.0.1 (see french_server.py) serving French zips built from the test files."""

from __future__ import annotations

import os
import shutil

import pytest
from french_server import mirror_of_every_source, running_server

from xlfactor.data import load_factors, reset_state
from xlfactor.data.sources import SOURCES


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch, seeded_template):
    """A private XLFACTOR_DATA_DIR holding a copy of a freshly seeded cache file."""
    folder = tmp_path / "xlfactor-data"
    folder.mkdir()
    shutil.copy(seeded_template / "xlfactor.sqlite", folder / "xlfactor.sqlite")
    monkeypatch.setenv("XLFACTOR_DATA_DIR", str(folder))
    for source in SOURCES.values():
        monkeypatch.delenv(source.env_var, raising=False)
    reset_state()
    yield folder
    reset_state()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    """A cache seeded once from the shipped snapshot (copied per test: seeding takes ~0.3 s)."""
    folder = tmp_path_factory.mktemp("seeded")
    old = os.environ.get("XLFACTOR_DATA_DIR")
    os.environ["XLFACTOR_DATA_DIR"] = str(folder)
    try:
        load_factors("FF5", "M")
        reset_state()  # closes the connection: the WAL is checkpointed into the main file
    finally:
        if old is not None:
            os.environ["XLFACTOR_DATA_DIR"] = old
    assert not (folder / "xlfactor.sqlite-wal").exists()
    return folder


@pytest.fixture
def french_server(monkeypatch):
    """A real HTTP server on 127.0.0.1 (ephemeral port); XLFACTOR_FRENCH_BASE_URL points to it."""
    with running_server() as state:
        monkeypatch.setenv("XLFACTOR_FRENCH_BASE_URL", state.base_url)
        yield state


@pytest.fixture
def library_server(monkeypatch):
    """One HTTP server on 127.0.0.1 mirroring every publisher: each XLFACTOR_<SOURCE>_BASE_URL points to it,
    and it serves French's current US zips and the other libraries' test files under their published names."""
    with mirror_of_every_source(monkeypatch) as state:
        state.serve_folder("current")
        yield state
