"""The recipient's door: pages reached through signed links, one-click, receipts, .well-known."""

from consent.recipient import brand, preferences, receipts, way_in, well_known

BLUEPRINTS = (preferences.bp, receipts.bp, way_in.bp, well_known.bp, brand.bp)
