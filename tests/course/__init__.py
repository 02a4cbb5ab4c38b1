"""Tests of rapport.course."""
