"""A receipt's JWS is made directly (the bulk import signs one per row) and is byte for
byte what PyJWT makes, for receipts and for checkpoints' own typ."""

import jwt

from consent.core import signing


def test_the_direct_jws_is_pyjwts(app):
    payload = {"consentReceiptID": "r-1", "language": "nb", "note": "Trekk samtykke – ø"}
    for use, typ in ((signing.RECEIPT, None), (signing.CHECKPOINT, "consent-checkpoint+jwt")):
        key = signing.signing_keys(use)[0]
        headers = {"kid": key.kid, **({"typ": typ} if typ else {})}
        expected = jwt.encode(payload, key.private, algorithm="EdDSA", headers=headers)
        assert signing.sign(payload, use, typ) == expected
        body = signing.serialise(payload)
        assert signing.sign_serialised(body, use, typ) == expected
    assert signing.verify(signing.sign(payload)) == payload
