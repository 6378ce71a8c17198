"""The domain: the ledger, its rules and everything the doors ask of it. Knows nothing of HTTP."""
