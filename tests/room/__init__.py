"""Tests of rapport.room."""
