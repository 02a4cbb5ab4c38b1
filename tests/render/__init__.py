"""Tests of rapport.render."""
