"""Shared choices, each in one place: grid geometry, CRS, weights, validation, metadata."""
