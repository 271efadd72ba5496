import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLazyChildLogger, createLogger, createNotice } from './logger.ts';
import { formatLogLine } from './pretty-log-stream.ts';

const capture = () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });

  return { destination, logger: createLogger({ level: 'info', destination }), output: () => lines.join('') };
};

describe('log redaction', () => {
  it('never writes phone numbers, names, addresses, message text or secrets', () => {
    const { logger, output } = capture();
    logger.info(
      {
        phone: '+966551234567',
        order: { customer: { name: 'Fatima Al-Zahra', phone: '0551234567' }, shippingAddress: { line1: '12 King Fahd Road', city: 'Riyadh' } },
        message: { text: 'نعم أؤكد الطلب', to: '+212612345678' },
        headers: { authorization: 'Bearer ak_secretsecret', cookie: 'akked.session_token=abc', 'x-csrf-token': 'csrf-value' },
        writeBack: { accessToken: 'shpat_123', consumerSecret: 'cs_456' },
        password: 'hunter2hunter2',
        note: 'customer wrote from 00966 55 123 4567',
      },
      'sending confirmation to +20 10 12345678',
    );
    logger.error({ err: new Error('send failed for 966551234567@s.whatsapp.net') }, 'failure');
    const text = output();
    for (const secret of [
      '551234567', 'Fatima', '12 King Fahd', 'Riyadh', 'نعم', '612345678', 'ak_secretsecret', 'session_token=abc', 'csrf-value',
      'shpat_123', 'cs_456', 'hunter2', '55 123 4567', '12345678',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(text).toContain('[phone]');
  });

  it('keeps ids, counts and timestamps readable', () => {
    const { logger, output } = capture();
    logger.info({ orderId: 'ord_123', count: 3, at: '2026-11-25T08:16:56.405Z' }, 'order queued');
    expect(output()).toContain('ord_123');
    expect(output()).toContain('2026-11-25T08:16:56.405Z');
    expect(output()).toContain('"count":3');
  });
});

describe('timestamps beside phone masking', () => {
  it('keeps the timestamp in an outbox file name whole, and still masks a number next to it', () => {
    const { logger, output } = capture();
    logger.info({ file: '/srv/akked/data/outbox/acc_1/2026-12-07T09-15-43-123Z-verify-email-1a2b3c4d.eml' }, 'written at 2026-12-07 09:15:43.123');
    logger.info('order 2026-12-07T09:15:43Z from 0612-34-56-78 and +212 612 345 678');
    const text = output();
    expect(text).toContain('2026-12-07T09-15-43-123Z-verify-email');
    expect(text).toContain('written at 2026-12-07 09:15:43.123');
    expect(text).toContain('order 2026-12-07T09:15:43Z from [phone] and [phone]');
  });
});

describe('pretty format', () => {
  it('writes one readable line per record: time, level, role, message, then the other fields', () => {
    const line = formatLogLine(JSON.stringify({ level: 40, time: Date.UTC(2026, 11, 7, 9, 15, 43), role: 'api', component: 'http', msg: 'slow request', requestId: 'req_1', note: 'two words' }), false);
    expect(line).toBe('09:15:43 WARN  [api/http] slow request  requestId=req_1 note="two words"\n');
  });

  it('puts an error\'s stack and each link on lines of their own', () => {
    const line = formatLogLine(JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' }, links: ['http://localhost:3000/a?token=1'] }), false);
    expect(line.split('\n')).toEqual(['00:00:00 ERROR failed', '    http://localhost:3000/a?token=1', '    Error: boom', '        at x', '']);
  });

  it('is what the logger writes with format pretty, after redaction', () => {
    const { destination, output } = capture();
    createLogger({ level: 'info', format: 'pretty', destination, base: { role: 'worker' } }).info({ phone: '+966551234567' }, 'Akked worker is ready');
    expect(output()).toMatch(/^\d\d:\d\d:\d\d INFO  \[worker\] Akked worker is ready  phone=\[redacted\]\n$/);
  });
});

describe('console notices', () => {
  it('carry a link exactly, digit runs included, in the log\'s JSON format', () => {
    const { destination, output } = capture();
    const link = 'http://localhost:3000/api/auth/verify-email?token=ab-12345678-90cd';
    createNotice({ format: 'json', destination, base: { role: 'serve' } })('email written to the outbox', { file: '/tmp/x.eml', links: [link] });
    expect(JSON.parse(output())).toMatchObject({ level: 30, role: 'serve', msg: 'email written to the outbox', file: '/tmp/x.eml', links: [link] });
  });
});

describe('lazy child logger', () => {
  it('writes its bindings with every line, redacted, once it logs', () => {
    const { logger, output } = capture();
    const child = createLazyChildLogger(logger, { requestId: 'req_1', phone: '+966551234567' });
    child.info({ step: 'one' }, 'first');
    child.child({ jobId: 'job_2' }).warn('second');
    const lines = output().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ requestId: 'req_1', phone: '[redacted]', step: 'one', msg: 'first', level: 30 });
    expect(lines[1]).toMatchObject({ requestId: 'req_1', jobId: 'job_2', msg: 'second', level: 40 });
  });

  it('writes nothing below the level and reports the level of its parent', () => {
    const { logger, output } = capture();
    const child = createLazyChildLogger(logger, { requestId: 'req_1' });
    child.debug('hidden');
    child.trace('hidden');
    expect(child.level).toBe('info');
    expect(output()).toBe('');
  });
});
