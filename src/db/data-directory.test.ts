import { chmod, mkdir, mkdtemp, readdir, lstat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAkked } from '../../test/harness/processes.ts';
import { secureDataDirectory } from './data-directory.ts';

/** Every entry under `directory` (itself included) whose mode lets group or others in. */
const openToOthers = async (directory: string): Promise<string[]> => {
  const found: string[] = [];
  const visit = async (entry: string) => {
    const stats = await lstat(entry);
    if (stats.isSymbolicLink()) return;
    if ((stats.mode & 0o077) !== 0) found.push(`${(stats.mode & 0o777).toString(8)} ${path.relative(directory, entry) || '.'}`);
    if (stats.isDirectory()) for (const name of await readdir(entry)) await visit(path.join(entry, name));
  };
  await visit(directory);

  return found;
};

const modeOf = async (entry: string): Promise<number> => (await lstat(entry)).mode & 0o777;

describe('the data directory', () => {
  it('is made private: folders 0700, files 0600, counting what it tightened, never following links', async () => {
    const directory = path.join(await mkdtemp(path.join(tmpdir(), 'akked-data-')), 'data');
    expect(await secureDataDirectory(directory)).toBe(0);
    expect(await modeOf(directory)).toBe(0o700);

    await mkdir(path.join(directory, 'pglite', 'base'), { recursive: true });
    await chmod(path.join(directory, 'pglite'), 0o755);
    await chmod(path.join(directory, 'pglite', 'base'), 0o777);
    await writeFile(path.join(directory, 'pglite', 'base', '1259'), 'rows');
    await chmod(path.join(directory, 'pglite', 'base', '1259'), 0o666);
    await writeFile(path.join(directory, 'master.key'), 'key', { mode: 0o644 });
    await chmod(path.join(directory, 'master.key'), 0o644);
    const outside = path.join(await mkdtemp(path.join(tmpdir(), 'akked-outside-')), 'shared.txt');
    await writeFile(outside, 'not ours');
    await chmod(outside, 0o644);
    await symlink(outside, path.join(directory, 'link'));

    expect(await secureDataDirectory(directory)).toBe(4);
    expect(await openToOthers(directory)).toEqual([]);
    expect(await modeOf(path.join(directory, 'pglite', 'base', '1259'))).toBe(0o600);
    expect(await modeOf(outside)).toBe(0o644);
  });

  it('holds a new embedded database with nothing open to other users, and tightens an old one at start with a warning', async () => {
    const directory = path.join(await mkdtemp(path.join(tmpdir(), 'akked-data-')), 'data');
    const run = async () => {
      const migrate = startAkked(['migrate'], { AKKED_DATA_DIR: directory });
      const code = await new Promise<number | null>((resolve) => migrate.child.once('exit', resolve));
      expect(code, migrate.output()).toBe(0);

      return migrate.output();
    };
    const first = await run();
    // The database as PGlite unpacks it had 968 files at 0666 and folders at 0755 (pg_hba.conf included).
    expect(await openToOthers(directory)).toEqual([]);
    expect(first).not.toMatch(/open to other users/);

    // An installation from before this rule.
    await chmod(directory, 0o755);
    await chmod(path.join(directory, 'pglite'), 0o755);
    await chmod(path.join(directory, 'pglite', 'pg_hba.conf'), 0o666);
    const second = await run();
    expect(second).toMatch(/3 files and folders of .* were open to other users of this machine/);
    expect(await openToOthers(directory)).toEqual([]);
  }, 120_000);
});
