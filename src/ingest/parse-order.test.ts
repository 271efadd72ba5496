import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runParseOrder } from './parse-order.ts';
import { readFixture } from './platforms/webhook-test-support.ts';

const FIXTURES = new URL('../../test/fixtures/payloads/', import.meta.url);

const run = async (args: string[], stdin: string | Buffer = '') => {
  let stdout = '';
  let stderr = '';
  const code = await runParseOrder(args, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readFile: (path) => readFile(path),
  });

  return { code, stdout, stderr };
};

const expectOneErrorLine = (stderr: string, code: string) => {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  const parsed = JSON.parse(stderr) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error)).toEqual(['code', 'message']);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(0);
};

describe('akked parse-order', () => {
  it('prints the normalized order of a file and exits 0', async () => {
    const result = await run(['--platform', 'youcan', '--file', new URL('youcan-api-doc-order-create-response.json', FIXTURES).pathname]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(JSON.parse(result.stdout)).toMatchObject({ platform: 'youcan', externalId: '011857b2-00b6-47af-9f8a-41e5c98b9c0d', isCod: true, customer: { phone: '+212666666666' } });
  });

  it('reads stdin, with --country and --timezone, in both option spellings', async () => {
    const result = await run(['--platform=easyorders', '--country', 'eg', '--timezone=Africa/Cairo'], readFixture('easyorders-docs-order-created.json'));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ currency: 'EGP', customer: { phone: '+201034567890', phoneRaw: '01034567890', phoneProblem: null } });
  });

  it('keeps the Shopify id above 2^53 exact in the printed JSON', async () => {
    const result = await run(['--platform', 'shopify'], readFixture('shopify-docs-sample-orders-create.json'));
    expect(result.stdout).toContain('"externalId": "820982911946154508"');
  });

  it('accepts the Zid bare order and the {order} wrapper with the same output', async () => {
    const wrapped = readFixture('zid-sdk-python-order_detail.json');
    const { order } = JSON.parse(wrapped.toString('utf8')) as { order: unknown };
    const fromWrapper = await run(['--platform', 'zid', '--timezone', 'Asia/Riyadh'], wrapped);
    const fromBare = await run(['--platform', 'zid', '--timezone', 'Asia/Riyadh'], JSON.stringify(order));
    expect(fromWrapper.code).toBe(0);
    expect(fromBare.stdout).toBe(fromWrapper.stdout);
    expect(JSON.parse(fromBare.stdout)).toMatchObject({ externalId: '39018491', createdAt: '2026-01-30T12:56:02.000Z', total: '100.00' });
  });

  it('prints usage for --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: akked parse-order --platform');
  });

  it('exits 2 with one JSON error line for malformed JSON', async () => {
    const result = await run(['--platform', 'shopify'], '{"id": 1,');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expectOneErrorLine(result.stderr, 'malformed_json');
  });

  it('exits 2 with one JSON error line for a body of the wrong shape', async () => {
    const result = await run(['--platform', 'salla'], '{"event":"order.created","data":{"id":1}}');
    expect(result.code).toBe(2);
    expectOneErrorLine(result.stderr, 'bad_request');
  });

  it('exits 2 for missing or unknown platforms, bad options and unreadable files', async () => {
    for (const args of [[], ['--platform', 'magento'], ['--platform', 'zid', '--timezone', 'Mars/Base'], ['--platform', 'zid', '--country', 'Saudi'], ['--platform', 'zid', '--verbose'], ['--platform'], ['--platform', 'zid', '--file', '/nonexistent/order.json']]) {
      const result = await run(args, '{}');
      expect(result.code, args.join(' ')).toBe(2);
      expectOneErrorLine(result.stderr, 'bad_request');
    }
  });
});
