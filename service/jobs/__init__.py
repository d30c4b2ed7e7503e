"""Jobs of many screenshots: the SQLite store and the loop that feeds the workers."""
