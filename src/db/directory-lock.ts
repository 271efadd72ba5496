import { open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';

export type DirectoryLock = { release(): Promise<void> };

const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);

    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes `<directory>/akked.lock` with O_EXCL, holding our pid. A lock left by a process that no
 * longer runs (kill -9, power loss) is taken over; a live holder makes this fail with a clear error.
 */
export const acquireDirectoryLock = async (directory: string): Promise<DirectoryLock> => {
  const lockPath = path.join(directory, 'akked.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      let isReleased = false;

      return {
        release: async () => {
          if (isReleased) return;
          isReleased = true;
          await rm(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt((await readFile(lockPath, 'utf8').catch(() => '')).trim(), 10);
    if (Number.isInteger(holder) && isProcessAlive(holder)) {
      throw new AppError('unavailable', {
        message:
          `The embedded database in ${directory} is already in use by process ${holder}. ` +
          'Stop that process, or use another AKKED_DATA_DIR, or run several processes on PostgreSQL with DATABASE_URL.',
      });
    }
    // Stale lock: replace it atomically enough for the single machine PGlite runs on.
    await writeFile(lockPath, '', { flag: 'w' }).catch(() => undefined);
    await rm(lockPath, { force: true });
  }
  throw new AppError('unavailable', { message: `cannot take the lock ${lockPath}` });
};
