"""`flask --app app consent …`: the shell door, thin wrappers over the core operations."""

from flask.cli import AppGroup

from consent.cli import admin, auditor, marketer, worker

consent_cli = AppGroup("consent", help="Consent and preference center commands.")
for command in (*admin.COMMANDS, *marketer.COMMANDS, *auditor.COMMANDS, *worker.COMMANDS):
    consent_cli.add_command(command)
