"""Shared fixtures: a throwaway store, the sample project and the shipped content."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.content import load_module
from rapport.schema import Module
from rapport.store import Store

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")


@pytest.fixture
def sample() -> Module:
    """The small valid module in tests/data/project."""
    return load_module("01-sample", DATA / "project")


@pytest.fixture
def listen() -> Module:
    """The shipped module 05, "Listen to understand"."""
    return load_module("05-listen", ROOT)
