import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

/*
 * This machine has a docker CLI but no daemon (and no compose plugin): the Dockerfile and
 * compose.yaml are read here, and what they run is run by test/production-install.test.ts.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type ComposeService = {
  image?: string;
  build?: string;
  command?: string[];
  read_only?: boolean;
  volumes?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
};

const readCompose = async () => parse(await readFile(path.join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

/** The Dockerfile's instructions, stage by stage (continuation lines joined). */
const readDockerfile = async () => {
  const text = (await readFile(path.join(ROOT, 'Dockerfile'), 'utf8')).replace(/\\\n\s*/g, ' ');
  const stages: { name: string; instructions: string[] }[] = [];
  for (const line of text.split('\n').map((raw) => raw.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const from = /^FROM \S+ AS (\S+)$/.exec(line);
    if (from) stages.push({ name: from[1] as string, instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }

  return stages;
};

describe('compose.yaml', () => {
  it('runs PostgreSQL, migrations once, one api and two workers from the image, the simulator only under the demo profile', async () => {
    const { services, volumes } = await readCompose();
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'simulator', 'worker']);
    expect(services.postgres?.image).toMatch(/^postgres:\d+/);
    expect(services.migrate).toMatchObject({ command: ['migrate'], depends_on: { postgres: { condition: 'service_healthy' } } });
    expect(services.api).toMatchObject({ command: ['api'], depends_on: { migrate: { condition: 'service_completed_successfully' } } });
    expect(services.worker).toMatchObject({ command: ['worker'], deploy: { replicas: 2 }, depends_on: { migrate: { condition: 'service_completed_successfully' } } });
    expect(services.simulator).toMatchObject({ profiles: ['demo'], command: ['simulator', '--host', '0.0.0.0', '--port', '4010'] });
    for (const name of ['migrate', 'api', 'worker']) expect(services[name]?.profiles, name).toBeUndefined();
    expect(Object.keys(volumes).sort()).toEqual(['akked-data', 'postgres-data']);
  });

  it('gives every Akked process the same database and master key, a read-only root filesystem, a data volume and a metrics port', async () => {
    const { services } = await readCompose();
    for (const name of ['migrate', 'api', 'worker']) {
      const service = services[name] as ComposeService;
      expect(service.build, name).toBe('.');
      expect(service.read_only, name).toBe(true);
      expect(service.volumes, name).toEqual(['akked-data:/data']);
      expect(service.environment?.DATABASE_URL, name).toMatch(/^postgres:\/\/akked:.*@postgres:5432\/akked$/);
      expect(service.environment?.AKKED_MASTER_KEY, name).toMatch(/^\$\{AKKED_MASTER_KEY:\?/);
      expect(service.environment?.AKKED_METRICS_PORT, name).toBe('9464');
    }
    expect(services.api?.ports).toEqual(['${PORT:-3000}:3000']);
  });
});

describe('Dockerfile', () => {
  it('builds with every dependency, assembles with the script the production-install test runs, and ships only that', async () => {
    const stages = await readDockerfile();
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'assemble', 'runtime']);
    const [build, assemble, runtime] = stages as [(typeof stages)[0], (typeof stages)[0], (typeof stages)[0]];
    expect(build.instructions).toContain('RUN npm ci --ignore-scripts --no-audit --no-fund');
    expect(build.instructions).toContain('RUN npm run build');
    expect(assemble.instructions).toContain('RUN sh /src/scripts/assemble-production.sh /src /app && chmod -R a-w /app');
    expect(runtime.instructions.filter((line) => line.startsWith('COPY'))).toEqual(['COPY --from=assemble /app /app']);
  });

  it('runs bin/akked as the unprivileged user node, with its data in the /data volume', async () => {
    const runtime = (await readDockerfile()).at(-1)?.instructions ?? [];
    expect(runtime).toContain('USER node');
    expect(runtime).toContain('VOLUME /data');
    expect(runtime).toContain('ENTRYPOINT ["node", "/app/bin/akked"]');
    expect(runtime.find((line) => line.startsWith('ENV'))).toContain('AKKED_DATA_DIR=/data');
  });
});
