import { readFileSync } from 'node:fs';

/** The version in package.json (two folders up from src/cli and from its build, dist/cli). */
export const readVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
