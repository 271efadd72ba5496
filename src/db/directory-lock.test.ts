import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDirectoryLock } from './directory-lock.ts';

describe('embedded database directory lock', () => {
  it('refuses a second opener of the same data directory with a clear error', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'akked-lock-'));
    const lock = await acquireDirectoryLock(directory);
    await expect(acquireDirectoryLock(directory)).rejects.toThrow(/already in use by process \d+/);
    await lock.release();
    const again = await acquireDirectoryLock(directory);
    await again.release();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'akked-lock-'));
    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = child.pid as number;
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(path.join(directory, 'akked.lock'), `${deadPid}\n`);
    const lock = await acquireDirectoryLock(directory);
    await lock.release();
  });
});
