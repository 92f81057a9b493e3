"""Backends: one package per database, each registering what it knows through ``setup(registries)``."""
