"""Tables of what staff do outside the ledger: notes, requests that arrive by mail, the log.

The ledger holds no personal data (SPEC §2), so what a staff member writes about a person
lives here, keyed to the ledger by receipt and referenced from the events by its hash; it is
erased with the person. The staff audit log is insert-only, like the ledger: who looked at
whom, and who changed what, cannot be tidied away afterwards.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consent.core import append_only
from consent.core.database import db
from consent.core.models import StaffUser, Subject, UTCDateTime, utcnow

# The rights a request that arrives by mail can invoke (Art. 15, 16, 17, 18, 21).
REQUEST_KINDS = ("access", "rectification", "erasure", "restriction", "objection")
# Art. 19: who received the data is told of an erasure or a restriction.
INFORM_RECIPIENTS = ("erasure", "restriction")
AUDIT_TABLE = "staff_audit"


class StaffNote(db.Model):
    """What a staff member wrote down about a call or a letter. The events of that
    interaction (one receipt) carry the note's SHA-256 in their evidence."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    receipt_id: Mapped[str] = mapped_column(String(36), index=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubjectRequest(db.Model):
    """A request a person sent by mail or letter (Art. 12(3)): answered within a month of
    receipt, or within three when extended in time with a reason."""

    __tablename__ = "subject_requests"
    __table_args__ = (Index("ix_subject_requests_queue", "controller_id", "closed_at", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)
    # The one-month deadline; an extension moves it to three months and says why.
    due_on: Mapped[date] = mapped_column(Date)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # The sender's reference, and staff's note: outside the ledger, blanked on erasure.
    reference: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    outcome: Mapped[str | None] = mapped_column(Text)
    # Closed without acting on it (in full): the person was mailed why (Art. 12(4)).
    refused: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    subject: Mapped[Subject] = relationship()
    answers: Mapped[list["RequestAnswer"]] = relationship(order_by="RequestAnswer.event_id")


class RequestAnswer(db.Model):
    """An event that answers a request (the objection recorded, the erasure completed)."""

    __tablename__ = "subject_request_events"

    request_id: Mapped[int] = mapped_column(ForeignKey("subject_requests.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)


class StaffAuditEntry(db.Model):
    """One staff view of a person or one staff change: who, when, what, before and after.
    Names the person by public id only, so the log outlives an erasure without an address."""

    __tablename__ = AUDIT_TABLE
    __table_args__ = (Index("ix_staff_audit_controller_at", "controller_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    # The staff member's address at the time, so the log reads the same after a change.
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    subject_ref: Mapped[str | None] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    staff_user: Mapped[StaffUser | None] = relationship()


append_only.attach(db.metadata.tables[AUDIT_TABLE])
