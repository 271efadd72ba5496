import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createLogger, createNotice, type Logger, type Notice } from '../logger.ts';

/** Where a command writes: its result on stdout, problems on stderr (tests capture both). */
export type CommandIo = { stdout: (text: string) => void; stderr: (text: string) => void };

/**
 * Loads the configuration, printing what is wrong (naming the variable) when it is invalid.
 * `overrides` are command-line options standing in for their variable (`--port` for PORT).
 */
export const loadConfigOrExplain = (io: CommandIo, overrides: Record<string, string> = {}): Config | null => {
  try {
    return loadConfig(overrides);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);

      return null;
    }
    throw error;
  }
};

/** The logger of one command's process, in the configured level and format, tagged with its role. */
export const createCommandLogger = (config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>, role: string): Logger =>
  createLogger({ level: config.LOG_LEVEL, ...(config.LOG_FORMAT ? { format: config.LOG_FORMAT } : {}), base: { role } });

/** Console notices of one command's process, in the log's format (see createNotice). */
export const createCommandNotice = (config: Pick<Config, 'LOG_FORMAT'>, role: string): Notice =>
  createNotice({ ...(config.LOG_FORMAT ? { format: config.LOG_FORMAT } : {}), base: { role } });
