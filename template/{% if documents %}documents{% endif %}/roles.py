"""The example app's role: who may see more than their own documents (security.roles).

The auditor lists every user's documents, their names, sizes, owners and dates, at
/documents/audit/ (and /api/documents/audit/ with the API), and opens none of them:
downloads stay with each document's owner. Migration 0002 creates the group.
"""

from security.roles import Role

AUDITOR = Role("Document auditor", permissions=("documents.audit_document",))

ROLES = (AUDITOR,)
