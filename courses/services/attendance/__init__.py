"""After registration: the attendee list and its exports, attendance per session, certificates."""
