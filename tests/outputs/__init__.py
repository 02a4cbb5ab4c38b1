"""Tests of rapport.outputs."""
