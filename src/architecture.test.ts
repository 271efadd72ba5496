import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The layer rules of .dependency-cruiser.cjs, run on src/ as `npx depcruise src` would.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RULES_FILE = path.join(ROOT, '.dependency-cruiser.cjs');

type Exception = IViolation & { comment?: string };

const loadOptions = async (): Promise<{ options: ICruiseOptions; exceptions: Exception[] }> => {
  const options = (await extractDepcruiseOptions(RULES_FILE)) as ICruiseOptions;
  const exceptions = (options.knownViolations ?? []) as Exception[];

  return { options, exceptions };
};

/** Every violation, listed exceptions included (they are compared with the list below). */
const violationsOf = async (files: string[], options: ICruiseOptions, baseDir: string): Promise<IViolation[]> => {
  const result = await cruise(files, { ...options, baseDir, validate: true, knownViolations: [] });

  return (result.output as ICruiseResult).summary.violations;
};

const describeViolation = (violation: IViolation): string =>
  violation.cycle
    ? `${violation.rule.name}: ${[violation.from, ...violation.cycle.map((step) => step.name)].join(' → ')}`
    : `${violation.rule.name}: ${violation.from} → ${violation.to}`;

const isSame = (exception: Exception, violation: IViolation): boolean =>
  exception.rule.name === violation.rule.name &&
  (exception.cycle && violation.cycle
    ? exception.cycle.length === violation.cycle.length && exception.cycle.every((step) => violation.cycle?.some((other) => other.name === step.name))
    : exception.from === violation.from && exception.to === violation.to);

describe('layers of src/', () => {
  let options: ICruiseOptions;
  let exceptions: Exception[];
  let violations: IViolation[];

  beforeAll(async () => {
    ({ options, exceptions } = await loadOptions());
    violations = await violationsOf(['src'], options, ROOT);
  }, 60_000);

  it('has no cycle and no import up a layer beyond the exceptions written in the rules', () => {
    const unexpected = violations.filter((violation) => !exceptions.some((exception) => isSame(exception, violation)));

    expect(unexpected.map(describeViolation)).toEqual([]);
  });

  it('lists no exception that no longer occurs, and gives each its reason and issue', () => {
    const stale = exceptions.filter((exception) => !violations.some((violation) => isSame(exception, violation)));

    expect(stale.map(describeViolation)).toEqual([]);
    for (const exception of exceptions) expect(exception.comment ?? '', describeViolation(exception)).toMatch(/TODO\(issue \d+\)/);
  });
});

describe('the layer rules', () => {
  let fixture: string;

  beforeAll(async () => {
    fixture = await mkdtemp(path.join(tmpdir(), 'akked-layers-'));
    const files: Record<string, string> = {
      // Infrastructure importing the HTTP layer: up two layers.
      'src/db/pool.ts': "import { route } from '../http/route.ts';\nexport const pool = route;\n",
      'src/http/route.ts': 'export const route = 1;\n',
      // The queue importing a domain job: up one layer.
      'src/jobs/queue.ts': "import type { Job } from '../orders/job.ts';\nexport type Queue = Job[];\n",
      'src/orders/job.ts': 'export type Job = { name: string };\n',
      // A cycle inside one layer.
      'src/orders/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'src/orders/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      // Downward imports are allowed.
      'src/orders/use.ts': "import { pool } from '../db/pool.ts';\nimport type { Queue } from '../jobs/queue.ts';\nexport const use = (queue: Queue) => [pool, queue];\n",
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(fixture, file)), { recursive: true });
      await writeFile(path.join(fixture, file), text);
    }
  });

  afterAll(async () => {
    await rm(fixture, { recursive: true, force: true });
  });

  it('refuse an import up a layer, a type-only one included, and a cycle', async () => {
    const { options } = await loadOptions();
    const found = (await violationsOf(['src'], options, fixture)).map(describeViolation).sort();

    expect(found).toEqual([
      'infrastructure-not-up: src/db/pool.ts → src/http/route.ts',
      'jobs-not-up: src/jobs/queue.ts → src/orders/job.ts',
      'no-circular: src/orders/a.ts → src/orders/b.ts → src/orders/a.ts',
    ]);
  }, 60_000);
});
