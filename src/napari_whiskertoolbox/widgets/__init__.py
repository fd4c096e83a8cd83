"""Dock widgets: script runner, data browser, timeline, annotation keys."""
