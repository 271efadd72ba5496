import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace-node';

/**
 * What of a span may leave the process. Instrumentations record more than Akked may share: the
 * client's address and user agent, query strings (a search by phone number, a Zid webhook's token),
 * error messages (a database error can quote a value). Spans are exported with an allow-list of
 * attributes instead: Akked's own (`akked.*`: ids and outcomes), and of the instrumentations' only
 * method, route, status, host and port, the database system and its parameterized SQL (values are
 * never recorded); URLs lose their query, fragment and credentials; an error keeps its type only.
 * Digit runs that look like phone numbers are masked in every string, as in the logs.
 */
const ALLOWED_ATTRIBUTES = new Set([
  'http.request.method', 'http.method', 'http.request.method_original', 'http.response.status_code', 'http.status_code', 'http.route',
  'url.scheme', 'http.scheme', 'http.flavor', 'network.protocol.name', 'network.protocol.version', 'network.transport',
  'server.address', 'server.port', 'net.host.name', 'net.host.port', 'net.peer.name', 'net.peer.port', 'error.type',
  'db.system', 'db.system.name', 'db.name', 'db.namespace', 'db.statement', 'db.query.text', 'db.operation', 'db.operation.name',
]);

/** URL attributes, kept without their query, fragment and user info. */
const URL_ATTRIBUTES = new Set(['url.full', 'http.url', 'url.path', 'http.target']);

// The logs' rule (logger.ts): a date with its time is kept, other phone-like digit runs are masked.
const TIMESTAMP_OR_PHONE =
  /((?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ](?:[01]\d|2[0-3])[:-][0-5]\d(?:[:-][0-5]\d(?:[.,-]\d{1,9})?)?Z?)?)|\+?\d[\d\s\-()]{6,}\d/g;

const maskPhones = (text: string): string => text.replace(TIMESTAMP_OR_PHONE, (match, timestamp?: string) => timestamp ?? '[phone]');

/** `https://user:pass@shop.example/orders/1?consumer_key=...#x` → `https://shop.example/orders/1`. */
export const withoutQuery = (value: string): string => {
  const path = value.split(/[?#]/, 1)[0] ?? '';

  return path.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
};

const cleanValue = (key: string, value: AttributeValue | undefined): AttributeValue | undefined => {
  if (typeof value === 'string') return maskPhones(URL_ATTRIBUTES.has(key) ? withoutQuery(value) : value);
  if (Array.isArray(value)) return undefined;

  return value;
};

/** The attributes a span may export (see above). */
export const redactAttributes = (attributes: Attributes): Attributes => {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith('akked.') && !ALLOWED_ATTRIBUTES.has(key) && !URL_ATTRIBUTES.has(key)) continue;
    const cleaned = cleanValue(key, value);
    if (cleaned !== undefined) kept[key] = cleaned;
  }

  return kept;
};

/** An exception event keeps its type; its message and stack trace may quote personal data. */
const redactEvent = (event: TimedEvent): TimedEvent | null => {
  if (event.name !== 'exception') return null;
  const type = event.attributes?.['exception.type'];

  return { name: 'exception', time: event.time, attributes: typeof type === 'string' ? { 'exception.type': maskPhones(type) } : {} };
};

/** The span as it may be exported: same identity and timing, redacted name, attributes, status and events. */
export const redactSpan = (span: ReadableSpan): ReadableSpan => ({
  name: maskPhones(span.name),
  kind: span.kind,
  spanContext: () => span.spanContext(),
  parentSpanContext: span.parentSpanContext,
  startTime: span.startTime,
  endTime: span.endTime,
  status: { code: span.status.code },
  attributes: redactAttributes(span.attributes),
  links: span.links.map((link) => ({ context: link.context, attributes: redactAttributes(link.attributes ?? {}) })),
  events: span.events.map(redactEvent).filter((event): event is TimedEvent => event !== null),
  duration: span.duration,
  ended: span.ended,
  resource: span.resource,
  instrumentationScope: span.instrumentationScope,
  droppedAttributesCount: span.droppedAttributesCount,
  droppedEventsCount: span.droppedEventsCount,
  droppedLinksCount: span.droppedLinksCount,
});

/** Wraps an exporter so that only redacted spans reach it. */
export const redactingExporter = (exporter: SpanExporter): SpanExporter => ({
  export: (spans, resultCallback) => exporter.export(spans.map(redactSpan), resultCallback),
  shutdown: () => exporter.shutdown(),
  ...(exporter.forceFlush ? { forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve() } : {}),
});
