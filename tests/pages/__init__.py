"""Tests of rapport.pages."""
