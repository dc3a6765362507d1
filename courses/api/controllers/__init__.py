"""Thin route handlers: parse, call one service, map the result."""
