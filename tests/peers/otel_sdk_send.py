"""Sends spans, logs and metrics to an OTLP/HTTP endpoint with the official
OpenTelemetry Python SDK exporters (gzip), then prints what it sent as JSON.

Usage: otel_sdk_send.py http://127.0.0.1:PORT
Exits non-zero when an export does not succeed.
"""

import json
import logging
import sys

from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

endpoint = sys.argv[1]
resource = Resource.create({"service.name": "py-shop"})

spans = InMemorySpanExporter()
tracer_provider = TracerProvider(resource=resource)
tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
tracer = tracer_provider.get_tracer("py.shop.checkout", "0.1")

records = InMemoryLogRecordExporter()
logger_provider = LoggerProvider(resource=resource)
logger_provider.add_log_record_processor(SimpleLogRecordProcessor(records))
logger = logging.getLogger("py.shop.payments")
logger.propagate = False
logger.addHandler(LoggingHandler(level=logging.INFO, logger_provider=logger_provider))

reader = InMemoryMetricReader()
meter = MeterProvider(resource=resource, metric_readers=[reader]).get_meter("py.shop.metrics")
orders = meter.create_counter("shop.orders", unit="1", description="orders placed")

with tracer.start_as_current_span("checkout", kind=SpanKind.SERVER, attributes={"order.id": 42, "paid": True}) as root:
    root.add_event("validated")
    with tracer.start_as_current_span("charge card", kind=SpanKind.CLIENT) as child:
        child.set_attribute("card.brand", "visa")
        logger.error("card declined", extra={"attempt": 2})
    orders.add(3, {"region": "eu"})

sent = {
    "trace_id": format(root.get_span_context().trace_id, "032x"),
    "root_span_id": format(root.get_span_context().span_id, "016x"),
    "child_span_id": format(child.get_span_context().span_id, "016x"),
}

gzip = Compression.Gzip
results = {
    "spans": OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces", compression=gzip).export(spans.get_finished_spans()),
    "logs": OTLPLogExporter(endpoint=f"{endpoint}/v1/logs", compression=gzip).export(records.get_finished_logs()),
    "metrics": OTLPMetricExporter(endpoint=f"{endpoint}/v1/metrics", compression=gzip).export(
        reader.get_metrics_data()
    ),
}
failed = {name: str(result) for name, result in results.items() if "SUCCESS" not in str(result)}
if failed:
    print(f"exports failed: {failed}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(sent))
