"""Auditor routes under /api/v1 (history, proof), added to the api blueprint."""
