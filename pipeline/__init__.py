"""Reproducible grant programme reports (see README.md)."""

__version__ = "0.1.0"
