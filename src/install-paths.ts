import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Defined (true) by the build, which bundles the server into dist/ (scripts/build.mjs); absent when the sources run as they are. */
declare const AKKED_BUILD: boolean | undefined;

const isBuilt = typeof AKKED_BUILD !== 'undefined';

/**
 * The installation's root: the folder of package.json, dashboard/dist and dist/. This file sits one
 * folder below it in src/; in the build every file of the server (dist/cli/main.js, dist/chunks/*)
 * sits two folders below it, wherever the bundler put this code.
 */
export const INSTALL_ROOT = fileURLToPath(new URL(isBuilt ? '../../' : '../', import.meta.url));

/** The numbered SQL migrations: beside their runner in src/, copied to dist/migrations by the build. */
export const MIGRATIONS_DIRECTORY = path.join(INSTALL_ROOT, isBuilt ? 'dist/migrations' : 'src/db/migrations');

/** The dashboard's production build (Vite). */
export const DASHBOARD_DIRECTORY = path.join(INSTALL_ROOT, 'dashboard/dist');
