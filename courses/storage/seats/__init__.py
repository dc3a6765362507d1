"""The seat guard's statements: counters kept by conditional UPDATEs, enrolment under the
course lock, the employer share's count, and finding shares that have ended. Only the seat-moving
services import this package (an import-linter contract).
"""
