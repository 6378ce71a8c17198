"""The recipient's door: pages reached through signed links, one-click, receipts, .well-known."""

from consent.recipient import preferences, receipts, well_known

BLUEPRINTS = (preferences.bp, receipts.bp, well_known.bp)
