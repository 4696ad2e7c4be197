"""Exports with no page open: a headless browser driven from Python runs the same core (cloudreel.export)."""
