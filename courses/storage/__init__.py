"""Storage: SQLModel tables, the engine set-up for SQLite and PostgreSQL, and migrations."""
