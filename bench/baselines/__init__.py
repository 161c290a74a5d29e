"""Baseline servers: the same socket events as Plenary, without domain or storage."""
