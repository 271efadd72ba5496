import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { redactingExporter, withoutQuery } from './span-redaction.ts';

/** Spans made by the real SDK, exported through the redaction into memory. */
const exportThroughRedaction = () => {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(redactingExporter(memory))] });

  return { tracer: provider.getTracer('test'), exported: () => memory.getFinishedSpans() };
};

describe('span redaction', () => {
  it('never exports phone numbers, names, addresses, message text, client addresses, query strings or secrets', () => {
    const { tracer, exported } = exportThroughRedaction();
    const span = tracer.startSpan('GET /api/v1/orders', { kind: SpanKind.SERVER });
    span.setAttributes({
      'http.request.method': 'GET',
      'http.route': '/api/v1/orders',
      'url.full': 'https://akked.example.com/api/v1/orders?q=0551234567',
      'url.path': '/api/v1/orders',
      'url.query': 'q=0551234567',
      'http.target': '/hooks/zid/sto_1?token=zid-secret-token',
      'client.address': '203.0.113.7',
      'net.peer.ip': '203.0.113.7',
      'user_agent.original': 'Mozilla/5.0 (Fatima phone)',
      'http.request.header.authorization': 'Bearer ak_secret',
      'akked.order.id': 'ord_1',
      // Akked's own attributes carry ids; a phone number slipped into one is masked anyway.
      'akked.note': 'customer +966 55 123 4567',
      'customer.name': 'Fatima Al-Zahra',
      'shipping.address': '12 King Fahd Road, Riyadh',
      'message.text': 'هل تؤكد طلبك؟',
    });
    span.recordException(new Error('duplicate key: Key (customer_phone)=(+966551234567) already exists for Fatima Al-Zahra'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'value +966551234567 rejected' });
    span.end();
    const database = tracer.startSpan('pg.query:INSERT akked', { kind: SpanKind.CLIENT });
    database.setAttributes({
      'db.system': 'postgresql',
      'db.statement': 'insert into messages (id, text, customer_phone) values ($1, $2, $3)',
      'db.postgresql.values': ['msg_1', 'هل تؤكد طلبك؟', '+966551234567'],
      'db.connection_string': 'postgresql://akked:db-password@db.example.com:5432/akked',
      'db.user': 'akked',
    });
    database.end();
    const client = tracer.startSpan('POST', { kind: SpanKind.CLIENT });
    client.setAttributes({ 'url.full': 'https://ck_key:cs_secret@shop.example/wp-json/wc/v3/orders/12?consumer_key=ck_1&consumer_secret=cs_2#x', 'http.response.status_code': 200 });
    client.end();

    const spans = exported();
    const text = JSON.stringify(spans.map((item) => ({ name: item.name, attributes: item.attributes, status: item.status, events: item.events, links: item.links })));
    for (const personal of ['551234567', '55 123 4567', 'Fatima', 'Al-Zahra', 'King Fahd', 'Riyadh', 'هل تؤكد', '203.0.113.7', 'Mozilla', 'ak_secret', 'zid-secret-token', 'db-password', 'ck_key', 'cs_secret', 'consumer_key', 'cs_2']) {
      expect(text, `"${personal}" was exported`).not.toContain(personal);
    }
    expect(spans[0]?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/api/v1/orders',
      'url.full': 'https://akked.example.com/api/v1/orders',
      'url.path': '/api/v1/orders',
      'http.target': '/hooks/zid/sto_1',
      'akked.order.id': 'ord_1',
      'akked.note': 'customer [phone]',
    });
    expect(spans[0]?.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(spans[0]?.events.map((event) => event.attributes)).toEqual([{ 'exception.type': 'Error' }]);
    expect(spans[1]?.attributes).toEqual({ 'db.system': 'postgresql', 'db.statement': 'insert into messages (id, text, customer_phone) values ($1, $2, $3)' });
    expect(spans[2]?.attributes).toEqual({ 'url.full': 'https://shop.example/wp-json/wc/v3/orders/12', 'http.response.status_code': 200 });
  });

  it('keeps the identity, parent and timing of a span', () => {
    const raw = new InMemorySpanExporter();
    const redacted = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(raw), new SimpleSpanProcessor(redactingExporter(redacted))] });
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('job confirmation.send');
    const child = tracer.startSpan('whatsapp.send', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), parent));
    child.end();
    parent.end();
    const pick = (span: ReadableSpan) => ({
      context: span.spanContext(),
      parent: span.parentSpanContext,
      name: span.name,
      kind: span.kind,
      startTime: span.startTime,
      endTime: span.endTime,
      duration: span.duration,
      resource: span.resource.attributes,
      scope: span.instrumentationScope,
    });
    expect(redacted.getFinishedSpans().map(pick)).toEqual(raw.getFinishedSpans().map(pick));
    expect(redacted.getFinishedSpans()[0]?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });

  it('cuts query strings, fragments and credentials from URLs', () => {
    expect(withoutQuery('https://user:pass@shop.example/a/b?x=1#frag')).toBe('https://shop.example/a/b');
    expect(withoutQuery('/hooks/zid/sto_1?token=t')).toBe('/hooks/zid/sto_1');
    expect(withoutQuery('/plain/path')).toBe('/plain/path');
  });
});
