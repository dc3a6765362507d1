"""Personal data over time: the retention purge (gallring) and the registerutdrag."""
