"""The mail services' door: /hooks/<controller>/<provider>, each with its provider's own
authentication, turning unsubscribes, complaints, hard bounces and `mailto:` unsubscribes
into ledger events with source `esp`."""

from consent.mailservices import mailgun, postmark, sendgrid, ses
from consent.mailservices.blueprint import bp

__all__ = ["bp", "mailgun", "postmark", "sendgrid", "ses"]
