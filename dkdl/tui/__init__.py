"""Textual UI of dkdl."""
