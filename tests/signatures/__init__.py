"""Tests of the signatures package."""
