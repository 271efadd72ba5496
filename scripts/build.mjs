#!/usr/bin/env node
// @ts-check
// The production build (`npm run build`): the server's TypeScript is bundled into dist/ and
// the dashboard is built by Vite into dashboard/dist/. Each part is rebuilt only when its inputs
// changed: a stamp file holds the hash of the inputs it was built from. bin/akked calls
// ensureBuild() in a checkout, so `npm start` on a fresh clone builds first and says so.
//
// Plain JavaScript on purpose: it runs before anything is compiled, and its freshness check runs on
// every start of bin/akked (it must cost milliseconds: no TypeScript, no Vite until a rebuild).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP_FILE = '.build-stamp';

/**
 * @typedef {object} BuildPart
 * @property {string} name
 * @property {string} sourceDirectory  where its inputs are (absent in an installation built elsewhere)
 * @property {string} outputDirectory  replaced whole by each build
 * @property {() => Promise<string[]>} listInputs  absolute paths of every file the build reads
 * @property {(temporaryDirectory: string, inputs: string[]) => Promise<void>} build
 * @property {string} note  said before a rebuild, so the wait is expected
 */

/**
 * The files under a folder that `keep` accepts, given their path relative to that folder.
 * @param {string} directory @param {(relative: string[]) => boolean} keep
 * @returns {Promise<string[]>}
 */
const listFiles = async (directory, keep) => {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);

  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => keep(path.relative(directory, file).split(path.sep)));
};

// Tests and their fixtures are never part of a build.
/** @param {string[]} segments */
const isServerInput = (segments) => !segments.at(-1)?.endsWith('.test.ts') && !segments.includes('__fixtures__');

/** @param {string[]} segments */
const isDashboardInput = (segments) => !/\.test\.tsx?$/.test(segments.at(-1) ?? '') && !segments.includes('test');

const SERVER_SOURCE = path.join(ROOT, 'src');
const DASHBOARD_DIRECTORY = path.join(ROOT, 'dashboard');

/**
 * Packages the bundle leaves to node_modules, loaded from there as published: the database drivers
 * (OpenTelemetry's pg instrumentation patches `pg` as it loads; PGlite reads its WebAssembly beside
 * its modules), the WhatsApp library (large, loaded by workers only), the logger (its transports run
 * files of their own) and OpenTelemetry's SDK (loaded only when tracing is on, hooking module
 * loading). OpenTelemetry's API is bundled (pg-boss loads it at every start): its copies share one
 * global registry, so spans of the bundled code reach the SDK of node_modules.
 */
export const SERVER_EXTERNALS = [
  'pg',
  'pg-native',
  '@electric-sql/pglite',
  'baileys',
  'pino',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/resources',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/instrumentation',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-pg',
  '@opentelemetry/instrumentation-undici',
];

/**
 * The server as a few bundled files: dist/cli/main.js (the executable's entry, small, so `--help`
 * loads little) and dist/chunks/ (each role's modules, loaded when that role starts, with the
 * packages they use). Loading thousands of files of node_modules was most of a start (resolving,
 * reading, compiling each): bundled, an api starts with about half the CPU. The migrations are
 * copied to dist/migrations.
 * @param {string} temporaryDirectory @param {string[]} inputs
 */
const buildServer = async (temporaryDirectory, inputs) => {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(SERVER_SOURCE, 'cli', 'main.ts')],
    outbase: SERVER_SOURCE,
    outdir: temporaryDirectory,
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: SERVER_EXTERNALS.flatMap((name) => [name, `${name}/*`]),
    // src/install-paths.ts: where the installation's files are, seen from a bundled file.
    define: { AKKED_BUILD: 'true' },
    // CommonJS packages inside the ES module bundle still call require() (node: built-ins, JSON).
    banner: { js: 'import { createRequire as __akkedCreateRequire } from "node:module"; const require = __akkedCreateRequire(import.meta.url);' },
    legalComments: 'none',
    logLevel: 'silent',
  });
  await mkdir(path.join(temporaryDirectory, 'migrations'), { recursive: true });
  await Promise.all(
    inputs
      .filter((file) => file.endsWith('.sql'))
      .map((file) => copyFile(file, path.join(temporaryDirectory, 'migrations', path.basename(file)))),
  );
};

/** @param {string} temporaryDirectory */
const buildDashboard = async (temporaryDirectory) => {
  const { build } = await import('vite');
  // Vite picks React's development build when NODE_ENV says so (vitest sets "test"): the served
  // dashboard is always the production build, whoever builds it.
  const nodeEnvironment = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(DASHBOARD_DIRECTORY, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: temporaryDirectory, emptyOutDir: true },
    });
  } finally {
    if (nodeEnvironment === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnvironment;
  }
};

/** @type {Record<'server' | 'dashboard', BuildPart>} */
export const PARTS = {
  server: {
    name: 'server',
    sourceDirectory: SERVER_SOURCE,
    outputDirectory: path.join(ROOT, 'dist'),
    listInputs: async () => [
      ...(await listFiles(SERVER_SOURCE, isServerInput)),
      path.join(ROOT, 'tsconfig.json'),
      // The bundle holds most dependencies' code: a changed lock file changes the build.
      path.join(ROOT, 'package-lock.json'),
    ],
    build: (temporaryDirectory, inputs) => buildServer(temporaryDirectory, inputs.filter((file) => file.startsWith(SERVER_SOURCE + path.sep))),
    note: 'bundling src/ into dist/, a few seconds',
  },
  dashboard: {
    name: 'dashboard',
    sourceDirectory: path.join(DASHBOARD_DIRECTORY, 'src'),
    outputDirectory: path.join(DASHBOARD_DIRECTORY, 'dist'),
    listInputs: async () => [
      ...(await listFiles(path.join(DASHBOARD_DIRECTORY, 'src'), isDashboardInput)),
      path.join(DASHBOARD_DIRECTORY, 'index.html'),
      path.join(DASHBOARD_DIRECTORY, 'vite.config.ts'),
      // The bundle holds the dependencies' code: a changed lock file changes the build.
      path.join(ROOT, 'package-lock.json'),
    ],
    build: (temporaryDirectory) => buildDashboard(temporaryDirectory),
    note: 'bundling dashboard/ with Vite into dashboard/dist/, about 15 s',
  },
};

/**
 * A hash of everything a part's build reads, file names and contents, this script included (a
 * change to how a part is built rebuilds it).
 * @param {BuildPart} part @param {string[]} inputs
 */
const hashInputs = async (part, inputs) => {
  const hash = createHash('sha256').update(`${part.name}\0`);
  const files = [...inputs, fileURLToPath(import.meta.url)];
  const contents = await Promise.all(files.map((file) => readFile(file).catch(() => Buffer.alloc(0))));
  files
    .map((file, index) => ({ name: path.relative(ROOT, file).split(path.sep).join('/'), content: /** @type {Buffer} */ (contents[index]) }))
    .sort((first, second) => (first.name < second.name ? -1 : 1))
    .forEach(({ name, content }) => hash.update(name).update('\0').update(content).update('\0'));

  return hash.digest('hex');
};

/** @param {BuildPart} part */
const readStamp = (part) => readFile(path.join(part.outputDirectory, STAMP_FILE), 'utf8').then((text) => text.trim(), () => null);

/**
 * Whether a part's build matches its sources: `current`, `stale` (or missing), or `prebuilt` (an
 * installation without the sources: what is there is what runs).
 * @param {BuildPart} part
 * @returns {Promise<{ state: 'current' | 'stale' | 'prebuilt', inputs: string[], hash: string | null }>}
 */
export const buildState = async (part) => {
  if (!existsSync(part.sourceDirectory)) return { state: 'prebuilt', inputs: [], hash: null };
  const inputs = await part.listInputs();
  const hash = await hashInputs(part, inputs);

  return { state: (await readStamp(part)) === hash ? 'current' : 'stale', inputs, hash };
};

/**
 * Builds one part into a temporary folder and swaps it in with renames, so a process reading the
 * output never sees half a build; two processes building at once both end with a complete one.
 * @param {BuildPart} part @param {string[]} inputs @param {string} hash @param {boolean} force
 */
const rebuild = async (part, inputs, hash, force) => {
  const parent = path.dirname(part.outputDirectory);
  const base = path.basename(part.outputDirectory);
  const temporary = path.join(parent, `.${base}-build-${process.pid}-${Date.now()}`);
  try {
    await part.build(temporary, inputs);
    await writeFile(path.join(temporary, STAMP_FILE), `${hash}\n`);
    if (!force && (await readStamp(part)) === hash) return; // another process finished the same build meanwhile
    const previous = path.join(parent, `.${base}-old-${process.pid}-${Date.now()}`);
    try {
      if (existsSync(part.outputDirectory)) await rename(part.outputDirectory, previous);
      await rename(temporary, part.outputDirectory);
    } catch (error) {
      // Lost a race with another process swapping in the same build: fine if what is there matches.
      if ((await readStamp(part)) !== hash) throw error;
    } finally {
      await rm(previous, { recursive: true, force: true });
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
};

/**
 * Rebuilds each named part whose build is missing or older than its sources, reporting progress
 * line by line. Returns what it did per part.
 * @param {{ parts?: ('server' | 'dashboard')[], force?: boolean, report?: (line: string) => void }} [options]
 */
export const ensureBuild = async ({ parts = ['server', 'dashboard'], force = false, report = () => {} } = {}) => {
  /** @type {Record<string, 'current' | 'built' | 'prebuilt'>} */
  const done = {};
  for (const name of parts) {
    const part = PARTS[name];
    const { state, inputs, hash } = await buildState(part);
    if (state === 'prebuilt') {
      if (!existsSync(path.join(part.outputDirectory, STAMP_FILE))) {
        throw new Error(`the ${name} is neither built nor buildable: ${path.relative(ROOT, part.sourceDirectory)} and ${path.relative(ROOT, part.outputDirectory)} are both missing`);
      }
      done[name] = 'prebuilt';
      continue;
    }
    if (state === 'current' && !force) {
      done[name] = 'current';
      continue;
    }
    const started = Date.now();
    report(`building the ${name} (${existsSync(part.outputDirectory) ? 'its sources changed since the last build' : 'first build'}): ${part.note}`);
    try {
      await rebuild(part, inputs, /** @type {string} */ (hash), force);
    } catch (error) {
      const code = /** @type {{ code?: string }} */ (error).code;
      if (code === 'ERR_MODULE_NOT_FOUND') {
        throw new Error(`the ${name} build is stale and its build tools are not installed (npm ci --omit=dev?): run "npm install" first`);
      }
      throw error;
    }
    report(`${name} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    done[name] = 'built';
  }

  return done;
};

/**
 * Which parts `akked <args>` needs: every command needs the server; the dashboard only serve and
 * api (also by default), and not for --help.
 * @param {string[]} args
 * @returns {('server' | 'dashboard')[]}
 */
export const partsNeededBy = (args) => {
  const [first] = args;
  const isHelp = args.includes('--help') || args.includes('-h') || first === 'help' || first === '--version' || first === '-v';
  const servesDashboard = first === undefined || first === 'serve' || first === 'api' || first.startsWith('-');

  return servesDashboard && !isHelp ? ['server', 'dashboard'] : ['server'];
};

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const force = process.argv.includes('--force');
  try {
    const done = await ensureBuild({ force, report: (line) => process.stdout.write(`${line}\n`) });
    for (const [name, state] of Object.entries(done)) if (state !== 'built') process.stdout.write(`${name}: ${state === 'current' ? 'up to date' : 'prebuilt'} (${path.relative(ROOT, PARTS[/** @type {'server' | 'dashboard'} */ (name)].outputDirectory)})\n`);
  } catch (error) {
    process.stderr.write(`build failed: ${/** @type {Error} */ (error).message}\n`);
    process.exitCode = 1;
  }
}
