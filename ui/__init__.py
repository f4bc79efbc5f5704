"""Widgets only: tray, capture window, library, settings. Emits intents, renders data."""
