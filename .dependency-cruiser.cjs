// Layer rules of src/, checked by src/architecture.test.ts (part of `npm test`) and by
// `npx depcruise src` (same rules, same exceptions).
//
// Imports run one way, from the top layer down:
//   entry points (cli, http) → domain → jobs → providers → infrastructure
// A module may import its own layer and any layer below it, never one above. Type-only imports
// count too: they tie a module to another as firmly as a value import does. No cycles, of modules
// or of types.

/** @param {string[]} paths folders (ending in '/') or files under src/ */
const under = (paths) => `^src/(${paths.map((p) => p.replace(/[.]/g, '\\.')).join('|')})`;

const LAYERS = {
  /** Where the process starts and the outside world comes in: commands and the HTTP server. */
  entry: under(['cli/', 'http/']),
  /** The work in the queue (pg-boss behind it): how a job is defined, enqueued, retried, run. */
  jobs: under(['jobs/']),
  /**
   * Vendors and the contracts they implement: WhatsApp providers (and the simulator), the store
   * platforms' webhook parsers and write-back adapters with the kit they are built from, Stripe.
   * Next session they move to src/whatsapp/providers/<provider>/ and src/platforms/<platform>/ (issue 16).
   */
  providers: under([
    'whatsapp/provider.ts',
    'whatsapp/providers/',
    'whatsapp/linked/',
    'whatsapp/cloud/',
    'whatsapp/simulator/',
    'ingest/platforms/',
    'ingest/order.ts',
    'ingest/platform-adapter.ts',
    'ingest/build-order.ts',
    'ingest/webhook-body.ts',
    'ingest/webhook-signature.ts',
    'ingest/normalize/',
    'writeback/platforms/',
    'writeback/write-back-adapter.ts',
    'writeback/outbound-guard.ts',
    'billing/stripe-client.ts',
  ]),
  /** What every layer stands on; knows nothing of orders, stores or WhatsApp. */
  infrastructure: under([
    'config.ts',
    'config-plans.ts',
    'errors.ts',
    'ids.ts',
    'install-paths.ts',
    'logger.ts',
    'pretty-log-stream.ts',
    'metrics.ts',
    'money.ts',
    'db/',
    'crypto/',
    'credentials/',
    'email/',
    'telemetry/',
    'time/',
  ]),
};
/** Everything else in src/ is domain: one folder per business capability. */
const DOMAIN_NOT = [LAYERS.entry, LAYERS.jobs, LAYERS.providers, LAYERS.infrastructure];

const TESTS = '(\\.test\\.ts$|^test/)';

/**
 * Imports that still run up a layer, each with why (`comment`) and what removes it. The test fails
 * on any violation not listed here, and on any listed one that no longer occurs (delete it then).
 * @param {string} rule @param {string} from @param {string} to @param {string} comment
 */
const exception = (rule, from, to, comment) => ({ type: 'dependency', rule: { name: rule, severity: 'error' }, from, to, comment });
const EXCEPTIONS = [
  exception(
    'providers-not-up',
    'src/whatsapp/simulator/simulator-command.ts',
    'src/cli/command-io.ts',
    'The `akked simulator` command (an entry point) lives beside the simulator it starts. ' +
      'TODO(issue 16): it moves to src/cli/ when the provider folders move.',
  ),
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'infrastructure-not-up',
      comment: 'Infrastructure knows nothing above it: no provider, job, domain or entry point.',
      severity: 'error',
      from: { path: LAYERS.infrastructure },
      to: { path: '^src/', pathNot: LAYERS.infrastructure },
    },
    {
      name: 'providers-not-up',
      comment: 'A provider or platform adapter uses infrastructure only; the domain calls it, never the reverse.',
      severity: 'error',
      from: { path: LAYERS.providers },
      to: { path: '^src/', pathNot: [LAYERS.providers, LAYERS.infrastructure] },
    },
    {
      name: 'jobs-not-up',
      comment: 'The queue runs any job it is given; which jobs exist is decided by the entry points.',
      severity: 'error',
      from: { path: LAYERS.jobs },
      to: { path: '^src/', pathNot: [LAYERS.jobs, LAYERS.providers, LAYERS.infrastructure] },
    },
    {
      name: 'domain-not-to-entry',
      comment: 'The domain is called by the entry points and knows neither HTTP nor the command line.',
      severity: 'error',
      from: { path: '^src/', pathNot: DOMAIN_NOT },
      to: { path: LAYERS.entry },
    },
    {
      name: 'not-to-tests',
      comment: 'Shipped code never imports a test or the test harness.',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: TESTS },
    },
  ],
  options: {
    // Tests import across layers on purpose (a route test seeds the database); only shipped code is held to the layers.
    exclude: { path: TESTS },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // Imports name their .ts file, so resolving needs no tsconfig paths.
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
    knownViolations: EXCEPTIONS,
  },
};
