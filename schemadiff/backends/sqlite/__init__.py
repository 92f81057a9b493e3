"""SQLite: dialect rules, catalog reader and DDL parser, transaction quirks."""
