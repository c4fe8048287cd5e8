"""Turning an uploaded answer into a transcript."""
