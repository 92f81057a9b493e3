"""MySQL and MariaDB: dialect rules, catalog reader, run lock."""
