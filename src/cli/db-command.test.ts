import { describe, expect, it } from 'vitest';
import { runDbCommand } from './db-command.ts';

const run = async (args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await runDbCommand(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });

  return { code, stdout, stderr };
};

describe('akked db', () => {
  it('prints its usage with --help, on each subcommand', async () => {
    for (const args of [['--help'], ['copy', '--help'], ['dump', '-h']]) {
      const { code, stdout } = await run(args);
      expect(code).toBe(0);
      expect(stdout).toContain('Usage: akked db copy --to <postgres-url>\n       akked db dump [--file <path>]');
    }
  });

  it('exits 2 naming the problem on an unknown subcommand, an unknown flag, or a copy without a PostgreSQL URL', async () => {
    expect(await run(['restore'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^akked db: unknown subcommand "restore"/) });
    expect(await run(['dump', '--format', 'custom'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^akked db dump: Unknown option '--format'/) });
    expect(await run(['copy'])).toMatchObject({ code: 2, stderr: 'akked db copy: --to must be a postgres:// or postgresql:// URL with a host\n' });
    expect(await run(['copy', '--to', 'postgres:///akked'])).toMatchObject({ code: 2 });
  });
});
