import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partsNeededBy, ROOT } from './build.mjs';
import packageJson from '../package.json' with { type: 'json' };

/** A checkout of its own (sources, scripts, the launcher; node_modules linked), so rebuilding it disturbs no other test. */
const copyCheckout = async (): Promise<string> => {
  const checkout = await mkdtemp(path.join(tmpdir(), 'akked-build-'));
  for (const entry of ['src', 'scripts', 'bin', 'tsconfig.json', 'package.json']) await cp(path.join(ROOT, entry), path.join(checkout, entry), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));

  return checkout;
};

const akked = (checkout: string, args: string[]) => {
  const result = spawnSync(process.execPath, [path.join(checkout, 'bin/akked'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });

  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('bin/akked in a checkout', () => {
  let checkout: string;

  beforeAll(async () => {
    checkout = await copyCheckout();
  });

  afterAll(async () => {
    await rm(checkout, { recursive: true, force: true });
  });

  it('builds the server on first use and says so, then runs the build silently while it is current', () => {
    const first = akked(checkout, ['--version']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^akked: building the server \(first build\): bundling src\/ into dist\/.*\nakked: server built in [\d.]+ s\n$/);
    expect(first.stdout).toBe(`${packageJson.version}\n`);

    const second = akked(checkout, ['--version']);
    expect(second).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  }, 120_000);

  it('rebuilds after a source changes, and the change runs', async () => {
    const mainFile = path.join(checkout, 'src/cli/main.ts');
    await writeFile(mainFile, (await readFile(mainFile, 'utf8')).replace('-v, --version  the version of Akked', '-v, --version  which Akked this is'));
    const result = akked(checkout, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('akked: building the server (its sources changed since the last build)');
    expect(result.stdout).toContain('which Akked this is');
  }, 120_000);

  it('runs an installation without sources as it is, and says what to do when it has no build', async () => {
    await rm(path.join(checkout, 'src'), { recursive: true });
    expect(akked(checkout, ['--version'])).toMatchObject({ code: 0, stdout: `${packageJson.version}\n` });
    await rm(path.join(checkout, 'dist'), { recursive: true });
    expect(akked(checkout, ['--version'])).toMatchObject({ code: 1, stderr: 'akked: there is no build in dist/: run "npm run build" where the sources are\n' });
  });
});

describe('what a command needs built', () => {
  it('is the dashboard too only for the roles that serve it', () => {
    expect(partsNeededBy([])).toEqual(['server', 'dashboard']);
    expect(partsNeededBy(['api', '--port', '3000'])).toEqual(['server', 'dashboard']);
    expect(partsNeededBy(['--port', '3000'])).toEqual(['server', 'dashboard']);
    for (const args of [['worker'], ['migrate'], ['serve', '--help'], ['--version'], ['-h'], ['parse-order']]) expect(partsNeededBy(args)).toEqual(['server']);
  });
});
