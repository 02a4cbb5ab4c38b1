"""Tests of rapport.store."""
