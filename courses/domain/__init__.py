"""The rules of the domain: plain Python, the standard library only, no I/O."""
