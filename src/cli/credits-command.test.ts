import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { grantOperatorCredits, parseGrantArguments } from './credits-command.ts';
import { main } from './main.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/akked');

type Run = { code: number | null; stdout: string; stderr: string };

const run = (args: string[], environment: Record<string, string>): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...environment } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`akked ${args.join(' ')} did not finish: ${stderr}`));
    }, 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

const capture = () => {
  const output = { stdout: '', stderr: '' };

  return { output, io: { stdout: (text: string) => (output.stdout += text), stderr: (text: string) => (output.stderr += text) } };
};

describe('akked credits grant: options', () => {
  it('is listed in the usage, and explains its options with --help', async () => {
    const overall = capture();
    expect(await main(['--help'], overall.io)).toBe(0);
    expect(overall.output.stdout).toContain('credits grant');
    const help = capture();
    expect(await main(['credits', 'grant', '--help'], help.io)).toBe(0);
    expect(help.output.stdout).toContain('akked credits grant --account acc_... --credits N --reason');
  });

  it('refuses missing or invalid options with exit code 2 before touching any database', async () => {
    const missing = capture();
    expect(await main(['credits', 'grant', '--account', 'acc_operator', '--credits', '10'], missing.io)).toBe(2);
    expect(missing.output.stderr).toContain('--reason: required');
    expect(parseGrantArguments(['--account', 'acc_x', '--credits', '0', '--reason', 'x'])).toEqual({ problem: '--credits: expected a whole number other than 0' });
    expect(parseGrantArguments(['--account', 'someone', '--credits', '1.5', '--reason', ' '])).toEqual({
      problem: '--account: expected an account id "acc_..."; --credits: expected a whole number other than 0; --reason: required (at most 500 characters)',
    });
    expect(parseGrantArguments(['--account', 'acc_x', '--credits=-20', '--reason', ' fix '])).toEqual({ options: { accountId: 'acc_x', credits: -20, reason: 'fix', reference: null } });
    expect(parseGrantArguments(['--acount', 'acc_x'])).toMatchObject({ problem: expect.stringContaining('--acount') });
  });
});

describe.each(TEST_BACKENDS)('akked credits grant: ledger on %s', (backend) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    await testDatabase.database.query("insert into accounts (id, name) values ('acc_operator_test', 'Operator test')");
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  it('grants credits as an operator adjustment, idempotently with a reference, and never below zero', async () => {
    const { database } = testDatabase;
    const grant = { accountId: 'acc_operator_test', credits: 250, reason: 'Goodwill: outage on 2026-11-20', reference: 'ticket-42' };
    expect(await grantOperatorCredits(database, grant)).toEqual({ account: 'acc_operator_test', credits: 250, applied: true, balance: 250 });
    expect(await grantOperatorCredits(database, grant)).toEqual({ account: 'acc_operator_test', credits: 250, applied: false, balance: 250 });
    await expect(grantOperatorCredits(database, { accountId: 'acc_operator_test', credits: -300, reason: 'correction', reference: null })).rejects.toThrow(/below zero/);
    expect(await grantOperatorCredits(database, { accountId: 'acc_operator_test', credits: -50, reason: 'correction', reference: null })).toMatchObject({ applied: true, balance: 200 });
    await expect(grantOperatorCredits(database, { accountId: 'acc_nobody', credits: 5, reason: 'x', reference: null })).rejects.toThrow('no account acc_nobody');
    expect(
      await database.query("select kind, credits, reason, reference from credit_ledger where account_id = 'acc_operator_test' order by created_at, id"),
    ).toEqual([
      { kind: 'adjustment', credits: 250, reason: 'Goodwill: outage on 2026-11-20', reference: 'ticket-42' },
      { kind: 'adjustment', credits: -50, reason: 'correction', reference: null },
    ]);
  });
});

describe('the akked credits command', () => {
  let dataDirectory: string;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-credits-'));
    const database = await openDatabase({ dataDirectory });
    try {
      await migrate(database);
      await database.query("insert into accounts (id, name) values ('acc_operator_cli', 'Operator test')");
    } finally {
      await database.close();
    }
  });

  afterAll(async () => {
    await rm(dataDirectory, { recursive: true, force: true, maxRetries: 5 });
  });

  it('grants on the embedded database and prints the result as one JSON line', async () => {
    const result = await run(['credits', 'grant', '--account', 'acc_operator_cli', '--credits', '75', '--reason', 'welcome back'], { AKKED_DATA_DIR: dataDirectory });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ account: 'acc_operator_cli', credits: 75, applied: true, balance: 75 });
  }, 180_000);

  it('stops with a message naming AKKED_PLANS_FILE and the problem when the plans file is invalid', async () => {
    const file = path.join(dataDirectory, 'plans.json');
    await writeFile(file, JSON.stringify([{ id: 'free', name: 'Free', monthlyCredits: 'lots', price: '0.00', currency: 'USD', stripePriceId: null }]));
    const result = await run(['credits', 'grant', '--account', 'acc_operator_cli', '--credits', '5', '--reason', 'x'], { AKKED_DATA_DIR: dataDirectory, AKKED_PLANS_FILE: file });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AKKED_PLANS_FILE');
    expect(result.stderr).toContain('[0].[monthlyCredits]');
  }, 180_000);
});
