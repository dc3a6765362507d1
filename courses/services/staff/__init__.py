"""Staff identity: sign-in links and sessions, and API tokens for programs."""
