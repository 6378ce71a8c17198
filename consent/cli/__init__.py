"""`flask --app app consent …`: the shell door, thin wrappers over the core operations."""

from flask.cli import AppGroup

from consent.cli import admin, auditor, catalogue, marketer, suppression, worker

consent_cli = AppGroup("consent", help="Consent and preference center commands.")
for module in (admin, catalogue, marketer, suppression, auditor, worker):
    for command in module.COMMANDS:
        consent_cli.add_command(command)
