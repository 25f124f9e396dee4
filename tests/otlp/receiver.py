"""An OTLP/HTTP receiver built on the official schema (PyPI `opentelemetry-proto`).

Listens on 127.0.0.1 (a free port, printed first as `PORT <n>`), decodes every
POST to /v1/traces, /v1/logs and /v1/metrics (protobuf or OTLP/JSON, gzip or
not) with the official generated messages, and prints one JSON line per
request: {"path", "encoding", "gzip", "status", "message"} where `message` is
the decoded request (MessageToDict, enums as integers, ids as lowercase hex of
their raw bytes). With `--unavailable N` the first N requests get
`503 Retry-After: 1` and are not decoded.
"""

import base64
import gzip
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

MESSAGES = {
    "/v1/traces": ExportTraceServiceRequest,
    "/v1/logs": ExportLogsServiceRequest,
    "/v1/metrics": ExportMetricsServiceRequest,
}
ID_FIELDS = {"traceId", "spanId", "parentSpanId"}
unavailable = int(sys.argv[sys.argv.index("--unavailable") + 1]) if "--unavailable" in sys.argv else 0


def ids(value, convert):
    """Applies `convert` to every id field, recursively."""
    if isinstance(value, dict):
        return {k: convert(v) if k in ID_FIELDS and isinstance(v, str) else ids(v, convert) for k, v in value.items()}
    if isinstance(value, list):
        return [ids(v, convert) for v in value]
    return value


def hex_to_base64(text):
    return base64.b64encode(bytes.fromhex(text)).decode()


def base64_to_hex(text):
    return base64.b64decode(text).hex()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        global unavailable
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if unavailable > 0:
            unavailable -= 1
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            print(json.dumps({"path": self.path, "status": 503}), flush=True)
            return
        zipped = self.headers.get("content-encoding") == "gzip"
        if zipped:
            body = gzip.decompress(body)
        content_type = self.headers.get("content-type", "")
        message = MESSAGES[self.path]()
        try:
            if content_type.startswith("application/json"):
                encoding = "json"
                json_format.Parse(json.dumps(ids(json.loads(body), hex_to_base64)), message)
            else:
                encoding = "protobuf"
                message.ParseFromString(body)
            status = 200
        except Exception as error:  # noqa: BLE001 - report any decoding failure
            status = 400
            print(json.dumps({"path": self.path, "status": 400, "error": str(error)}), flush=True)
        if status == 200:
            decoded = ids(json_format.MessageToDict(message, use_integers_for_enums=True), base64_to_hex)
            print(json.dumps({"path": self.path, "encoding": encoding, "gzip": zipped, "status": 200, "message": decoded}), flush=True)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
