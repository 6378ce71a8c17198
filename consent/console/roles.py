"""Who may do what in the console (README "Roles in the console"; tests/test_staff_roles.py
walks the whole matrix): marketers view, auditors view and export, admins act.

Marketers see counts and the queue of requests, never a person; auditors see people, their
proof and the staff log, and export it; admins also record what people say and answer
their requests.
"""

DASHBOARD = ("marketer", "auditor", "admin")
REQUEST_QUEUE = ("marketer", "auditor", "admin")
PEOPLE = ("auditor", "admin")
STAFF_LOG = ("auditor", "admin")
ACT = ("admin",)
