import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one process, served at GET /metrics. Labels never carry personal data. */
export type Metrics = ReturnType<typeof createMetrics>;

/** Counts read from the database when scraped (the same for every process of a deployment). */
export type DatabaseGaugeSources = {
  /** WhatsApp numbers by status. */
  sessionsByStatus(): Promise<Record<string, number>>;
  /** Jobs queued (ready or deferred) by job name. */
  jobsWaiting(): Promise<Record<string, number>>;
};

export const createMetrics = () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'akked_' });
  let sources: DatabaseGaugeSources | null = null;
  const gaugeFrom = (name: string, help: string, label: string, read: (from: DatabaseGaugeSources) => Promise<Record<string, number>>) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      async collect() {
        if (!sources) return;
        this.reset();
        for (const [value, count] of Object.entries(await read(sources))) this.set({ [label]: value }, count);
      },
    });
  gaugeFrom('akked_whatsapp_sessions', 'WhatsApp numbers by status', 'status', (from) => from.sessionsByStatus());
  gaugeFrom('akked_jobs_waiting', 'Jobs queued and not yet running, by job', 'job', (from) => from.jobsWaiting());

  return {
    registry,
    /** Lets the database gauges read their counts (the runtime calls this once the queue runs). */
    readGaugesFrom: (readers: DatabaseGaugeSources) => {
      sources = readers;
    },
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
    messages: new Counter({
      name: 'akked_messages_total',
      help: 'Outbound WhatsApp messages by kind and outcome (sent, failed, retried), with the failure reason (a code)',
      labelNames: ['kind', 'outcome', 'reason'] as const,
      registers: [registry],
    }),
    leaseTakeovers: new Counter({
      name: 'akked_lease_takeovers_total',
      help: 'WhatsApp numbers this process took over from a lease that had expired (its worker died or stalled)',
      registers: [registry],
    }),
    creditsConsumed: new Counter({
      name: 'akked_credits_consumed_total',
      help: 'Credits taken by confirmation questions (refunds not subtracted)',
      registers: [registry],
    }),
    writeBacks: new Counter({
      name: 'akked_write_backs_total',
      help: 'Results written back to stores, by platform and outcome (written, not_supported, failed)',
      labelNames: ['platform', 'outcome'] as const,
      registers: [registry],
    }),
    outgoingWebhooks: new Counter({
      name: 'akked_outgoing_webhooks_total',
      help: 'Deliveries to merchants\' webhook endpoints by outcome',
      labelNames: ['outcome'] as const,
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
