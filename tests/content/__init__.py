"""Tests of rapport.content."""
