"""A receipt as the change that issued it hands it on: the row it is stored as, and the
payload's JSON exactly as it was signed.

The row is written with the change's other writes (core/writes.py), so no ORM instance is
made for it: one cost a tenth of a one-click's ledger work, for a value that is only read
(its number and time on the page that answers, its JWS in an API answer). The payload is
serialised once, for the signature, and stored as those bytes (writes.JsonText).
"""

from dataclasses import dataclass
from datetime import datetime

from consent.core.models import Receipt
from consent.core.signing import serialise, sign_detached


@dataclass(frozen=True, slots=True)
class IssuedReceipt:
    id: str
    controller_id: int
    subject_id: int
    created_at: datetime
    payload: dict
    stored_jws: str
    serialised: bytes  # the payload's JSON as the JWS signs it

    jws = Receipt.jws  # the compact JWS, as a stored receipt gives it

    @classmethod
    def sign(cls, receipt_id, controller_id, subject_id, created_at, payload) -> "IssuedReceipt":
        body = serialise(payload)
        return cls(
            receipt_id, controller_id, subject_id, created_at, payload, sign_detached(body), body
        )
