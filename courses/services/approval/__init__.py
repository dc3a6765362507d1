"""Manager approval: what the manager's page shows, approving, declining, the reminder and the
expiry. Holding a seat while the manager is asked is the seat kernel's (`seats.approval_requests`).
"""
