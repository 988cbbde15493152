#!/usr/bin/python3
"""A newsroom's ingest client for pressrelay, in Python.

Shows that a newsroom not written in C++ can use the wire with nothing but the .proto
files: generate stubs with Debian's protoc and grpc_python_plugin,

    protoc -I protos --python_out=OUT --grpc_python_out=OUT \
        --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin $(find protos -name '*.proto')

then run this with Debian's python3 (packages python3-grpcio, python3-protobuf,
python3-cryptography) and PYTHONPATH=OUT. It subscribes with its bearer token, verifies each
statement's Ed25519 signature against the agencies' public keys (fetched from the registry,
or from a file written by `pressrelay keys`), prints every delivery as one JSON line,
acknowledges it, and keeps its cursor in a file so that a restart resumes exactly where it
stopped. It prints "READY" once everything queued before it connected has arrived. A
statement that fails verification is reported and not acknowledged; the client exits 3.
"""
import argparse
import json
import os
import sys

import grpc
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from google.protobuf import json_format

from pressrelay.registry.v1 import registry_pb2, registry_pb2_grpc
from pressrelay.subscription.v1 import subscription_pb2, subscription_pb2_grpc


def _millis(ts):
    return "" if ts.seconds == 0 and ts.nanos == 0 else str(ts.seconds * 1000 + ts.nanos // 1000000)


def canonical_bytes(s, key_id):
    """The bytes an agency signs: pressrelay's canonical statement form, version 1."""
    out = bytearray(b"pressrelay-statement-v1\n")

    def field(name, value):
        data = value.encode("utf-8") if isinstance(value, str) else value
        out.extend(f"{name}:{len(data)}:".encode("ascii"))
        out.extend(data)
        out.extend(b"\n")

    field("id", s.id)
    field("uri", s.uri)
    field("version", str(s.version))
    field("kind", str(s.kind))
    field("urgency", str(s.urgency))
    field("pubstatus", str(s.pubstatus))
    field("signal", str(s.signal))
    field("signal_reason", s.signal_reason)
    field("firstcreated", _millis(s.firstcreated))
    field("versioncreated", _millis(s.versioncreated))
    field("embargoed", _millis(s.embargoed))
    field("language", s.language)
    field("headline", s.headline)
    field("summary", s.summary)
    field("body", s.body)
    field("subjects", str(len(s.subjects)))
    for i, subject in enumerate(s.subjects):
        field(f"subjects.{i}.code", subject.code)
        field(f"subjects.{i}.name", subject.name)
    field("located.region_code", s.located.region_code)
    field("located.name", s.located.name)
    field("issuer.agency_code", s.issuer.agency_code)
    field("issuer.agency_name", s.issuer.agency_name)
    field("issuer.spokesperson_id", s.issuer.spokesperson_id)
    field("issuer.spokesperson_name", s.issuer.spokesperson_name)
    field("issuer.spokesperson_title", s.issuer.spokesperson_title)
    field("attachments", str(len(s.attachments)))
    for i, a in enumerate(s.attachments):
        field(f"attachments.{i}.href", a.href)
        field(f"attachments.{i}.media_type", a.media_type)
        field(f"attachments.{i}.size_bytes", str(a.size_bytes))
        field(f"attachments.{i}.sha256", a.sha256)
        field(f"attachments.{i}.title", a.title)
    field("in_reply_to", s.in_reply_to)
    if len(s.references) > 0:  # written only when the text cites documents
        field("references", str(len(s.references)))
        for i, r in enumerate(s.references):
            for name in ("canonical", "type_name", "number", "year", "type_code", "issuer",
                         "unit", "issued_on", "name", "field", "begin", "end"):
                field(f"references.{i}.{name}", str(getattr(r, name)))
    if s.HasField("question_outcome"):  # written only on answers to questions asked on the wire
        q = s.question_outcome
        field("question_outcome.question_id", q.question_id)
        field("question_outcome.outcome", str(q.outcome))
        field("question_outcome.ground", str(q.ground))
        field("question_outcome.note", q.note)
        field("question_outcome.to_asker_only", "1" if q.to_asker_only else "0")
    if s.HasField("follow_up_by"):  # written only on urgent statements awaiting a follow-up
        field("follow_up_by", _millis(s.follow_up_by))
    if s.follows_up:  # written only on follow-ups
        field("follows_up", s.follows_up)
    field("key_id", key_id)
    return bytes(out)


def verify(statement, keys):
    """None if the statement's signature verifies with the issuing agency's key; else why not."""
    sig = statement.signature
    key = keys.get(sig.key_id)
    if key is None:
        return f"unknown signing key {sig.key_id!r}"
    if key.agency_code != statement.issuer.agency_code:
        return f"key {sig.key_id} belongs to {key.agency_code}, not {statement.issuer.agency_code}"
    if sig.algorithm != "ed25519":
        return f"unsupported algorithm {sig.algorithm!r}"
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(sig.value, canonical_bytes(statement, sig.key_id))
    except (InvalidSignature, ValueError):
        return "signature does not match"
    return None


def load_keys(args, metadata):
    if args.keys:
        with open(args.keys) as f:
            listing = json_format.Parse(f.read(), registry_pb2.ListAgencyKeysResponse())
    else:
        channel = grpc.insecure_channel(args.registry)
        stub = registry_pb2_grpc.KeysStub(channel)
        listing = stub.ListAgencyKeys(registry_pb2.ListAgencyKeysRequest(), metadata=metadata)
    return {k.key_id: k for k in listing.keys}

# Keepalive as the wire documents for newsroom clients: ping an idle connection every 30 s,
# no more often than the server permits (10 s).
CHANNEL_OPTIONS = [
    ("grpc.keepalive_time_ms", 30000),
    ("grpc.keepalive_timeout_ms", 10000),
    ("grpc.keepalive_permit_without_calls", 1),
]


def save_cursor(path, cursor):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(cursor + "\n")
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="subscription service host:port")
    parser.add_argument("--token-file", required=True, help="file holding the newsroom client's token")
    parser.add_argument("--cursor-file", help="where the last processed cursor is kept")
    parser.add_argument("--count", type=int, default=0, help="exit after this many deliveries")
    parser.add_argument("--registry", help="registry host:port, to fetch the agencies' public keys")
    parser.add_argument("--keys", help="the agencies' public keys as JSON (`pressrelay keys`), for offline use")
    args = parser.parse_args()

    with open(args.token_file) as f:
        metadata = [("authorization", "Bearer " + f.read().strip())]
    cursor = ""
    if args.cursor_file and os.path.exists(args.cursor_file):
        with open(args.cursor_file) as f:
            cursor = f.read().strip()

    keys = load_keys(args, metadata) if (args.keys or args.registry) else None
    channel = grpc.insecure_channel(args.target, options=CHANNEL_OPTIONS)
    stub = subscription_pb2_grpc.SubscriptionStub(channel)
    stream = stub.Subscribe(subscription_pb2.SubscribeRequest(cursor=cursor), metadata=metadata)
    received = 0
    try:
        for response in stream:
            for delivery in response.deliveries:
                if keys is not None:
                    problem = verify(delivery.statement, keys)
                    if problem and problem.startswith("unknown signing key") and not args.keys:
                        keys = load_keys(args, metadata)  # an agency rotated its key
                        problem = verify(delivery.statement, keys)
                    if problem:
                        print(f"REJECTED {delivery.statement.id} v{delivery.statement.version}: {problem}",
                              file=sys.stderr, flush=True)
                        stream.cancel()
                        return 3
                line = json_format.MessageToDict(delivery, preserving_proto_field_name=True)
                print(json.dumps(line, ensure_ascii=False), flush=True)
                stub.Ack(subscription_pb2.AckRequest(cursor=delivery.cursor), metadata=metadata)
                if args.cursor_file:
                    save_cursor(args.cursor_file, delivery.cursor)
                received += 1
                if args.count and received >= args.count:
                    stream.cancel()
                    return 0
            if response.caught_up:
                print("READY", flush=True)
    except grpc.RpcError as e:
        if e.code() == grpc.StatusCode.CANCELLED and args.count and received >= args.count:
            return 0
        print(f"error: {e.code().name}: {e.details()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
