import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from './harness/database.ts';
import { findFreePort, startAkked, waitForHttp, type AkkedProcess, type StartAkkedOptions } from './harness/processes.ts';

/*
 * What the Docker image does, without Docker (this machine has no daemon): the runtime stage's
 * commands (scripts/assemble-production.sh, the same script the Dockerfile runs), a read-only
 * application folder, an unprivileged user, and the compose file's commands: `akked migrate` once,
 * then `akked api` and `akked worker` on PostgreSQL.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The Dockerfile's user is uid 1000 ("node"); here any uid that owns nothing will do.
const UNPRIVILEGED = 65534;
const isRoot = process.getuid?.() === 0;
// What the runtime must not hold: compilers, bundlers and the dashboard's libraries (bundled into dashboard/dist).
const BUILD_ONLY_PACKAGES = ['typescript', 'tsx', 'vite', '@vitejs/plugin-react', 'react', 'react-dom', 'react-router', 'recharts', 'esbuild', 'rolldown', 'vitest'];

if (!TEST_DATABASE_URL) {
  describe('the production installation', () => {
    it.skip('needs PostgreSQL: set TEST_DATABASE_URL (as CI does) to install and start it', () => {});
  });
} else {
  describe('the production installation (npm ci --omit=dev, read-only, unprivileged, on PostgreSQL)', () => {
    let folder: string;
    let app: string;
    let testDatabase: TestDatabase;
    let runAs: StartAkkedOptions;
    let environment: Record<string, string>;
    const processes: AkkedProcess[] = [];

    beforeAll(async () => {
      folder = await mkdtemp(path.join(tmpdir(), 'akked-production-'));
      await chmod(folder, 0o755);
      app = path.join(folder, 'app');
      const assembled = spawnSync('sh', [path.join(ROOT, 'scripts/assemble-production.sh'), ROOT, app], { encoding: 'utf8', timeout: 300_000 });
      if (assembled.status !== 0) throw new Error(`assemble-production.sh failed (${assembled.status}): ${assembled.stderr}`);
      // Read-only for everyone, as the image's root filesystem can be; TMPDIR points there too.
      expect(spawnSync('chmod', ['-R', 'a-w', app]).status).toBe(0);

      const data = path.join(folder, 'data');
      await mkdir(data, { mode: 0o700 });
      runAs = {};
      if (isRoot) {
        await chown(data, UNPRIVILEGED, UNPRIVILEGED);
        runAs = { uid: UNPRIVILEGED, gid: UNPRIVILEGED, bin: path.join(app, 'bin/akked') };
        // Node itself may sit where that user cannot reach (a CI checkout under /root): a copy it can run.
        if (spawnSync(process.execPath, ['--version'], { uid: UNPRIVILEGED, gid: UNPRIVILEGED }).status !== 0) {
          const node = path.join(folder, 'node');
          await copyFile(process.execPath, node);
          await chmod(node, 0o555);
          runAs.node = node;
        }
      } else {
        runAs = { bin: path.join(app, 'bin/akked') };
      }
      testDatabase = await createTestDatabase('postgres', { migrate: false });
      environment = {
        DATABASE_URL: testDatabase.url ?? '',
        AKKED_MASTER_KEY: randomBytes(32).toString('base64'),
        AKKED_DATA_DIR: data,
        HOME: data,
        TMPDIR: app,
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        LOG_FORMAT: 'json',
      };
    }, 360_000);

    afterAll(async () => {
      for (const child of processes) await child.stop('SIGKILL');
      await testDatabase?.close();
      if (folder) {
        spawnSync('chmod', ['-R', 'u+w', folder]);
        await rm(folder, { recursive: true, force: true });
      }
    });

    it('holds no TypeScript compiler, no Vite and no React', () => {
      for (const name of BUILD_ONLY_PACKAGES) expect(existsSync(path.join(app, 'node_modules', name)), name).toBe(false);
      expect(existsSync(path.join(app, 'src'))).toBe(false);
      for (const runtime of ['fastify', 'pg', 'pg-boss', 'baileys', 'zod']) expect(existsSync(path.join(app, 'node_modules', runtime)), runtime).toBe(true);
    });

    it('migrates once, then akked api answers /readyz and serves the dashboard, and akked worker is scraped on AKKED_METRICS_PORT', async () => {
      const migrate = startAkked(['migrate'], environment, runAs);
      processes.push(migrate);
      expect(await new Promise((resolve) => migrate.child.once('exit', resolve)), migrate.output()).toBe(0);
      expect(JSON.parse(migrate.output().trim().split('\n').at(-1) ?? '{}').applied).toContain('0001_initial');

      const apiPort = await findFreePort();
      const api = startAkked(['api', '--port', String(apiPort)], environment, runAs);
      processes.push(api);
      const metricsPort = await findFreePort();
      const worker = startAkked(['worker'], { ...environment, AKKED_METRICS_PORT: String(metricsPort) }, runAs);
      processes.push(worker);

      await waitForHttp(`http://127.0.0.1:${apiPort}/readyz`, 60_000).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\n${api.output()}`);
      });
      const page = await fetch(`http://127.0.0.1:${apiPort}/sign-in`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      expect(api.output()).toContain(`"msg":"Akked is ready: open http://localhost:${apiPort}"`);

      await waitForHttp(`http://127.0.0.1:${metricsPort}/readyz`, 60_000).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\n${worker.output()}`);
      });
      const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scrape.status).toBe(200);
      const metrics = await scrape.text();
      expect(metrics).toContain('akked_process_resident_memory_bytes');
      expect(metrics).toContain('akked_jobs_processed_total');
      expect(worker.output()).toContain('"msg":"Akked worker is ready"');

      // Both stop cleanly, and neither ever complained about a file it could not write.
      expect(await api.stop()).toBe(0);
      expect(await worker.stop()).toBe(0);
      for (const output of [migrate.output(), api.output(), worker.output()]) expect(output).not.toMatch(/EACCES|EROFS|permission denied/i);
    }, 180_000);
  });
}
