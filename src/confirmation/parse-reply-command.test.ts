import { spawn } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runParseReply } from './parse-reply-command.ts';

const run = async (args: string[], stdin: string | Buffer) => {
  let stdout = '';
  let stderr = '';
  const code = await runParseReply(args, { stdin: Readable.from([Buffer.from(stdin)]), stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });

  return { code, stdout, stderr };
};

describe('akked parse-reply', () => {
  it('prints the reading of the reply on stdin as one JSON line', async () => {
    const result = await run([], 'نعم يا حبيبي ابعتوها\n');

    expect(result).toEqual({ code: 0, stdout: '{"intent":"confirm","topic":null,"matched":["نعم","ابعتوها"],"cues":[],"unknown":[],"reason":null}\n', stderr: '' });
  });

  it('prints the topic of what is not a decision', async () => {
    expect(JSON.parse((await run([], 'oui mais livrez demain')).stdout)).toMatchObject({ intent: 'unclear', topic: 'change_date', cues: ['demain'] });
    expect(JSON.parse((await run([], 'STOP')).stdout)).toMatchObject({ intent: 'unclear', topic: 'opt_out' });
  });

  it('takes the language of the question', async () => {
    expect(JSON.parse((await run(['--language', 'fr'], 'si')).stdout)).toMatchObject({ intent: 'confirm' });
    expect(JSON.parse((await run(['--language=en'], 'si')).stdout)).toMatchObject({ intent: 'unclear' });
  });

  it('explains itself with --help', async () => {
    const result = await run(['--help'], '');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: akked parse-reply [--language ar|en|fr]');
  });

  it.each([
    [['--language', 'de'], 'oui', '--language must be one of ar, en, fr'],
    [['--verbose'], 'oui', "Unknown option '--verbose'"],
    [['extra'], 'oui', 'Unexpected argument'],
    [[], '', 'No reply on stdin'],
    [[], ' \n', 'No reply on stdin'],
    [[], 'x'.repeat(4097), 'longer than 4096 characters'],
    [[], Buffer.from([0x6f, 0x6b, 0xff, 0xfe]), 'not UTF-8'],
  ] as const)('refuses bad input %j with one JSON error line and exit 2', async (args, stdin, message) => {
    const result = await run([...args], stdin);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'bad_request' } });
    expect(result.stderr).toContain(message);
  });

  it('runs as a command of the akked executable, without a database or configuration', async () => {
    const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/akked');
    const child = spawn(process.execPath, [bin, 'parse-reply'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin.end('wakha a khoya, sifetha');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ intent: 'confirm', topic: null, matched: ['wakha', 'sifetha'], cues: [], unknown: [], reason: null });
  }, 60_000);
});
