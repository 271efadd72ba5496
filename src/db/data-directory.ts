import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Folders of the data directory: its owner only. */
export const PRIVATE_DIRECTORY_MODE = 0o700;
/** Files of the data directory (database, master key, emails): its owner only. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the data directory private to its owner (0700) and tightens whatever it already holds:
 * folders to 0700 and files to 0600, symbolic links left alone (never followed). The embedded
 * database writes its initial files world-readable (0666), and an installation made before this
 * rule has them that way: any local user could read and change every order. Returns how many
 * entries were tightened.
 */
export const secureDataDirectory = async (directory: string): Promise<number> => {
  await mkdir(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  let tightened = 0;
  const visit = async (entry: string): Promise<void> => {
    const stats = await lstat(entry).catch((error: NodeJS.ErrnoException) => {
      // Removed meanwhile (the database deletes temporary files while it runs).
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!stats || stats.isSymbolicLink()) return;
    const wanted = stats.isDirectory() ? PRIVATE_DIRECTORY_MODE : PRIVATE_FILE_MODE;
    if ((stats.mode & 0o077) !== 0) {
      await chmod(entry, (stats.mode & 0o700) | wanted);
      tightened++;
    }
    if (stats.isDirectory()) {
      for (const name of await readdir(entry).catch(() => [])) await visit(path.join(entry, name));
    }
  };
  await visit(path.resolve(directory));

  return tightened;
};

/** What to tell the operator when an existing data directory had to be tightened. */
export const describeTightened = (count: number, directory: string): string =>
  `${count} files and folders of ${directory} were open to other users of this machine; they are now private to their owner (folders 0700, files 0600)`;
