"""The public catalogue: published courses with their state and seats left, cached per revision."""
