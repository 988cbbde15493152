#!/usr/bin/python3
"""A newsroom's ingest client for pressrelay, in Python.

Shows that a newsroom not written in C++ can use the wire with nothing but the .proto
files: generate stubs with Debian's protoc and grpc_python_plugin,

    protoc -I protos --python_out=OUT --grpc_python_out=OUT \
        --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin $(find protos -name '*.proto')

then run this with Debian's python3 (packages python3-grpcio, python3-protobuf) and
PYTHONPATH=OUT. It subscribes with its bearer token, prints every delivery as one JSON
line, acknowledges it, and keeps its cursor in a file so that a restart resumes exactly
where it stopped. It prints "READY" once everything queued before it connected has arrived.
"""
import argparse
import json
import os
import sys

import grpc
from google.protobuf import json_format

from pressrelay.subscription.v1 import subscription_pb2, subscription_pb2_grpc

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
    args = parser.parse_args()

    with open(args.token_file) as f:
        metadata = [("authorization", "Bearer " + f.read().strip())]
    cursor = ""
    if args.cursor_file and os.path.exists(args.cursor_file):
        with open(args.cursor_file) as f:
            cursor = f.read().strip()

    channel = grpc.insecure_channel(args.target, options=CHANNEL_OPTIONS)
    stub = subscription_pb2_grpc.SubscriptionStub(channel)
    stream = stub.Subscribe(subscription_pb2.SubscribeRequest(cursor=cursor), metadata=metadata)
    received = 0
    try:
        for response in stream:
            for delivery in response.deliveries:
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
