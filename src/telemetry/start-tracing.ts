import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { redactingExporter } from './span-redaction.ts';
import { installTracer, type SpanKindName, type SpanOptions, type Tracer } from './tracing.ts';

/**
 * OpenTelemetry, started only when OTEL_EXPORTER_OTLP_ENDPOINT is set (role-command.ts imports this
 * module then, before the application): the Node SDK with the http, pg and undici (fetch)
 * instrumentations, spans batched to an OTLP/HTTP (JSON) exporter through the redaction of
 * span-redaction.ts. It must start before `pg` and the web framework are loaded, so that their
 * modules are patched as they load.
 */

const KINDS: Record<SpanKindName, SpanKind> = {
  internal: SpanKind.INTERNAL,
  consumer: SpanKind.CONSUMER,
  producer: SpanKind.PRODUCER,
  client: SpanKind.CLIENT,
  server: SpanKind.SERVER,
};

/** Requests that say nothing about an order: probes and scrapes. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** An error is recorded by its code (an AppError's, a database SQLSTATE) or class, never its message. */
const errorType = (error: unknown): string => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && code.length <= 64) return code;

  return error instanceof Error ? error.name : 'error';
};

const parentContext = (parent: string | null | undefined): Context =>
  parent ? propagation.extract(ROOT_CONTEXT, { traceparent: parent }) : context.active();

const createTracer = (version: string): Tracer => {
  const tracer = trace.getTracer('akked', version);

  return {
    traceParent: () => {
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);

      return carrier.traceparent ?? null;
    },
    inSpan: (name, options: SpanOptions, work) =>
      tracer.startActiveSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes: options.attributes ?? {} }, parentContext(options.parent), async (span) => {
        try {
          return await work();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute('error.type', errorType(error));
          throw error;
        } finally {
          span.end();
        }
      }),
    recordSpan: (name, options) => {
      tracer
        .startSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes: options.attributes ?? {}, startTime: options.startedAt }, parentContext(options.parent))
        .end();
    },
    annotate: (attributes) => {
      trace.getActiveSpan()?.setAttributes(attributes);
    },
    nameRequest: (method, route) => {
      const span = trace.getActiveSpan();
      span?.setAttribute('http.route', route);
      span?.updateName(`${method} ${route}`);
    },
  };
};

export type StartTracingOptions = {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  serviceName: string;
  version: string;
  role: string;
  /** Instead of OTLP (tests). */
  exporter?: SpanExporter;
};

export type Tracing = { stop(): Promise<void> };

/** Starts tracing for this process; `stop` exports what is left (call it after the runtime stopped). */
export const startTracing = (options: StartTracingOptions): Tracing => {
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.version': options.version, 'akked.role': options.role }),
    spanProcessors: [new BatchSpanProcessor(redactingExporter(exporter))],
  });
  // The W3C trace-context propagator and the AsyncLocalStorage context manager.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => PROBES.has((request.url ?? '').split('?', 1)[0] ?? ''),
        // Outgoing calls are traced inside an order's trace only (not the job queue's polling).
        requireParentforOutgoingSpans: true,
      }),
      // Values are never recorded (enhancedDatabaseReporting stays off); only queries of a trace.
      new PgInstrumentation({ requireParentSpan: true }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
  installTracer(createTracer(options.version));

  return {
    stop: async () => {
      installTracer(null);
      unregister();
      await provider.shutdown();
      // Leaves the process as it was (tests start and stop tracing in one process).
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
};
