"""The demo: five controllers from real privacy statements, and people with histories."""
