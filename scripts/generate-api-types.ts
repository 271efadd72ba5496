/**
 * Writes dashboard/src/api/generated.ts: the TypeScript types of the HTTP API, generated from the
 * OpenAPI document the server builds from its route schemas. The dashboard imports its API types
 * from there, so they cannot drift from the server. Run with `npm run generate:api`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { startRuntime } from '../src/cli/runtime.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';

export const GENERATED_FILE = fileURLToPath(new URL('../dashboard/src/api/generated.ts', import.meta.url));

const HEADER = `// Generated from the server's OpenAPI document by scripts/generate-api-types.ts: do not edit.
// Regenerate with \`npm run generate:api\` after changing a route's schema; a test fails while this file is stale.

`;

/**
 * The document exactly as GET /api/v1/openapi.json serves it, from an api process started in
 * memory on a throwaway embedded database (the routes need one to be built, not to be described).
 */
export const buildOpenApiDocument = async (): Promise<OpenAPI3> => {
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-openapi-'));
  try {
    const config = parseConfig({
      AKKED_DATA_DIR: dataDirectory,
      AKKED_MASTER_KEY: randomBytes(32).toString('base64'),
      // The document names its server: a fixed one keeps the output the same on every machine.
      AKKED_PUBLIC_URL: 'http://localhost:3000',
      LOG_LEVEL: 'warn',
    });
    const runtime = await startRuntime({ config, roles: { api: true, worker: false }, logger: createLogger({ level: 'warn' }), listen: false });
    try {
      if (!runtime.app) throw new Error('the api role built no HTTP app');
      const response = await runtime.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      if (response.statusCode !== 200) throw new Error(`GET /api/v1/openapi.json answered ${response.statusCode}: ${response.body}`);

      return response.json() as OpenAPI3;
    } finally {
      await runtime.stop();
    }
  } finally {
    await rm(dataDirectory, { recursive: true, force: true });
  }
};

/** The text of dashboard/src/api/generated.ts for this document. */
export const renderApiTypes = async (document: OpenAPI3): Promise<string> => {
  const nodes = await openapiTS(document, { silent: true });

  return HEADER + astToString(nodes);
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = await renderApiTypes(await buildOpenApiDocument());
  await writeFile(GENERATED_FILE, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), GENERATED_FILE)} (${text.split('\n').length} lines)\n`);
}
