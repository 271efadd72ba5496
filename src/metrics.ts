import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one process, served at GET /metrics. */
export type Metrics = ReturnType<typeof createMetrics>;

export const createMetrics = () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'akked_' });

  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'akked_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    webhooksReceived: new Counter({
      name: 'akked_webhooks_received_total',
      help: 'Store webhooks by platform and outcome',
      labelNames: ['platform', 'outcome'] as const,
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: 'akked_jobs_processed_total',
      help: 'Jobs by name and result',
      labelNames: ['job', 'result'] as const,
      registers: [registry],
    }),
    emailsSent: new Counter({
      name: 'akked_emails_sent_total',
      help: 'Emails by kind and transport',
      labelNames: ['kind', 'transport'] as const,
      registers: [registry],
    }),
  };
};
