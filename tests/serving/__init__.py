"""Tests of rapport.serving."""
