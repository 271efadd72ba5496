-- The W3C trace context (traceparent) of an order's trace and of each message's span, written only
-- while tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT): the send of a message, its receipts and the
-- customer's reply continue the trace its webhook started. Random ids, never personal data.
ALTER TABLE orders ADD COLUMN trace_parent text;
ALTER TABLE messages ADD COLUMN trace_parent text;
