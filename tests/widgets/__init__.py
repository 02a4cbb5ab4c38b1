"""Tests of rapport.widgets."""
