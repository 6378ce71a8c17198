#!/usr/bin/env python3
"""Verify consent receipts and proof bundles offline, with PyJWT and nothing of ours.

    pip install "pyjwt[crypto]"
    python verify_receipt.py receipt.jws --jwks https://prefs.example.com/.well-known/jwks.json
    python verify_receipt.py receipt.jws --jwks jwks.json
    python verify_receipt.py --proof bundle.json

A receipt is a compact JWS (EdDSA, Ed25519). Its header names the key (kid) in the JWKS.
Without --jwks the key set is fetched from the `jwksUri` the receipt names; pass --jwks
to check against a key set you obtained yourself. Exit status 0 when everything verifies.
"""

import argparse
import hashlib
import json
import sys
import urllib.request
from pathlib import Path

import jwt


def load_jwks(source: str) -> dict:
    """A JWKS from an http(s) URL or a file."""
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=10) as response:  # noqa: S310
            return json.load(response)
    return json.loads(Path(source).read_text())


def verify_jws(token: str, jwks: dict) -> dict:
    """The verified payload; raises jwt.InvalidTokenError when anything is off."""
    kid = jwt.get_unverified_header(token).get("kid")
    keys = [k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id == kid]
    if not keys:
        raise jwt.InvalidKeyError(f"no key with kid {kid!r} in the key set")
    return jwt.decode(token, keys[0], algorithms=["EdDSA"])


def read_receipt(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read().strip()
    path = Path(argument)
    return path.read_text().strip() if path.exists() else argument.strip()


def check_receipt(argument: str, jwks_source: str | None) -> bool:
    token = read_receipt(argument)
    if jwks_source is None:
        jwks_source = jwt.decode(token, options={"verify_signature": False}).get("jwksUri")
        if not jwks_source:
            print("the receipt names no jwksUri; pass --jwks", file=sys.stderr)
            return False
    try:
        payload = verify_jws(token, load_jwks(jwks_source))
    except jwt.InvalidTokenError as error:
        print(f"INVALID: {error}")
        return False
    print(json.dumps(payload, indent=2, ensure_ascii=False))
    print(
        f"VALID: signature verified with key {jwt.get_unverified_header(token)['kid']}"
        f" from {jwks_source}",
        file=sys.stderr,
    )
    return True


def check_bundle(path: str, jwks_source: str | None) -> bool:
    """Receipts, event hashes, chain links, inclusion in the signed checkpoint and notice
    hashes of a proof bundle."""
    bundle = json.loads(Path(path).read_text())
    jwks = load_jwks(jwks_source) if jwks_source else bundle["verification"]["jwks"]
    problems = []
    for receipt in bundle["receipts"]:
        try:
            if verify_jws(receipt["jws"], jwks) != receipt["payload"]:
                problems.append(f"receipt {receipt['id']}: payload differs from the signed one")
        except jwt.InvalidTokenError as error:
            problems.append(f"receipt {receipt['id']}: {error}")
    hashes = set()
    for event in bundle["events"]:
        canonical = json.loads(event["canonical"])
        if hashlib.sha256(event["canonical"].encode()).hexdigest() != event["hash"]:
            problems.append(f"event {event['id']}: hash does not match its canonical text")
        for field in ("id", "kind", "channel", "basis", "source", "occurred_at", "prev_hash"):
            if canonical[field] != event[field]:
                problems.append(f"event {event['id']}: {field} differs from the hashed text")
        hashes.add(event["hash"])
    links = bundle["chain"]["links"]
    previous = None
    for link in links:
        if link["prev_hash"] != previous:
            problems.append(f"chain: event {link['seq']} does not link to the one before")
        previous = link["hash"]
    if previous != bundle["chain"]["head"]:
        problems.append("chain: the last link is not the chain head")
    if not hashes <= {link["hash"] for link in links}:
        problems.append("chain: an event of the bundle is not in the chain")
    problems += check_inclusion(bundle, jwks)
    for notice in bundle["notices"]:
        if hashlib.sha256(notice_text(notice)).hexdigest() != notice["hash"]:
            problems.append(f"notice {notice['purpose']} v{notice['version']}: hash mismatch")
    for problem in problems:
        print(f"BROKEN: {problem}")
    print(
        f"{len(bundle['receipts'])} receipts, {len(bundle['events'])} events, "
        f"{len(links)} chain links, {len(bundle['notices'])} notices: "
        + ("all verified" if not problems else f"{len(problems)} problems")
    )
    return not problems


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root an audit path leads to, or None if it cannot."""
    if index >= size:
        return None
    fn, sn, result = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            result = _node(sibling, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = _node(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return result if sn == 0 else None


def check_inclusion(bundle: dict, jwks: dict) -> list[str]:
    """Each event's audit path against the signed checkpoint the bundle carries."""
    checkpoint, problems = bundle.get("checkpoint"), []
    if checkpoint is None:
        return problems
    try:
        claims = verify_jws(checkpoint["jws"], jwks)
    except jwt.InvalidTokenError as error:
        return [f"checkpoint: {error}"]
    if jwt.get_unverified_header(checkpoint["jws"]).get("typ") != "consent-checkpoint+jwt":
        problems.append("checkpoint: not a consent checkpoint")
    root = bytes.fromhex(claims["root_hash"])
    for event in bundle["events"]:
        proof = event.get("inclusion")
        if proof is None:
            continue  # committed after the checkpoint: the next one covers it
        leaf = hashlib.sha256(b"\x00" + bytes.fromhex(event["hash"])).digest()
        path = [bytes.fromhex(step) for step in proof["path"]]
        if proof["tree_size"] != claims["tree_size"] or (
            root_from_path(leaf, proof["leaf_index"], proof["tree_size"], path) != root
        ):
            problems.append(f"event {event['id']}: not in the signed checkpoint's tree")
    return problems


def notice_text(notice: dict) -> bytes:
    """The exact text a notice's hash covers: title, description, then each Art. 13/14
    detail that is there, labelled, in this order."""
    text = f"{notice['title']}\n\n{notice['description']}"
    for name in ("lifetime", "retention", "recipients", "transfers", "source"):
        if notice.get(name):
            text += f"\n\n{name}: {notice[name]}"
    return text.encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("receipt", nargs="?", help="a JWS, a file holding one, or - for stdin")
    parser.add_argument("--jwks", help="URL or file of the JSON Web Key Set")
    parser.add_argument("--proof", help="a proof bundle (JSON) to verify instead")
    args = parser.parse_args()
    if args.proof:
        return 0 if check_bundle(args.proof, args.jwks) else 1
    if not args.receipt:
        parser.error("give a receipt or --proof")
    return 0 if check_receipt(args.receipt, args.jwks) else 1


if __name__ == "__main__":
    sys.exit(main())
