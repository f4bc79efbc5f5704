"""Composition root: CLI, start-up, paths, config, single instance, hotkeys, context capture."""
