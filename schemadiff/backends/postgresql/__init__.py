"""PostgreSQL: dialect rules, catalog reader, run lock."""
