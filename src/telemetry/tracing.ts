/**
 * Tracing as the rest of Akked sees it: a few calls that do nothing until `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is set and the OpenTelemetry SDK is started (start-tracing.ts, imported only then). This module
 * imports nothing, so a process without tracing loads none of OpenTelemetry.
 *
 * Attributes are ids and outcomes only (`akked.order.id`, `akked.job.name`...), never personal data;
 * the exporter drops anything else (span-redaction.ts).
 */

export type SpanAttributes = Record<string, string | number | boolean>;

export type SpanKindName = 'internal' | 'consumer' | 'producer' | 'client' | 'server';

export type SpanOptions = {
  /** W3C `traceparent` of the parent (from a job payload or a row); else the active span is the parent. */
  parent?: string | null | undefined;
  attributes?: SpanAttributes;
  kind?: SpanKindName;
};

export type Tracer = {
  /** The W3C `traceparent` of the active span, or null when there is none (or tracing is off). */
  traceParent(): string | null;
  /** Runs `work` in a new span that ends when it settles (an error marks the span, by its code only). */
  inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T>;
  /** Records a span for something that already happened, from `startedAt` (epoch ms) to now. */
  recordSpan(name: string, options: SpanOptions & { startedAt: number }): void;
  /** Adds attributes to the active span (the request's, in a route). */
  annotate(attributes: SpanAttributes): void;
  /** Names the active HTTP server span after its route pattern (`POST /hooks/:platform/:storeId`). */
  nameRequest(method: string, route: string): void;
};

const noTracer: Tracer = {
  traceParent: () => null,
  inSpan: (_name, _options, work) => work(),
  recordSpan: () => undefined,
  annotate: () => undefined,
  nameRequest: () => undefined,
};

let active: Tracer = noTracer;

/** Installed once by start-tracing.ts; tests install their own and put `null` back. */
export const installTracer = (tracer: Tracer | null): void => {
  active = tracer ?? noTracer;
};

export const tracing: Tracer = {
  traceParent: () => active.traceParent(),
  inSpan: (name, options, work) => active.inSpan(name, options, work),
  recordSpan: (name, options) => active.recordSpan(name, options),
  annotate: (attributes) => active.annotate(attributes),
  nameRequest: (method, route) => active.nameRequest(method, route),
};

/** The `traceParent` field a job payload carries (added at enqueue, read by the worker). */
export const TRACE_PARENT_FIELD = 'traceParent';

/** The trace parent stored in a job payload, if any. */
export const readTraceParent = (data: unknown): string | null => {
  if (typeof data !== 'object' || data === null) return null;
  const value = (data as Record<string, unknown>)[TRACE_PARENT_FIELD];

  return typeof value === 'string' && value.length <= 128 ? value : null;
};
