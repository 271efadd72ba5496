import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOf } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { createLogger } from '../logger.ts';
import { createMailer, type OutboxAnnouncement } from './mailer.ts';

type ReceivedMail = { from: string; to: string[]; data: string };

const startSmtpServer = async () => {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((rcpt) => rcpt.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return { received, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

describe('email', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
  });

  afterAll(async () => {
    await smtp?.close();
  });

  it('sends over SMTP when SMTP_URL is set', async () => {
    const mailer = createMailer({ smtpUrl: `${smtp.url}/?ignoreTLS=true`, from: 'Akked <no-reply@akked.test>', dataDirectory: '/nonexistent', logger: createLogger({ level: 'silent' }) });
    await mailer.send({ to: 'merchant@example.com', subject: 'تأكيد', text: 'hello', html: '<p>hello</p>', kind: 'test', accountId: null });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.to).toEqual(['merchant@example.com']);
    expect(smtp.received[0]?.from).toBe('no-reply@akked.test');
    expect(smtp.received[0]?.data).toContain('Subject: =?UTF-8?');
  });

  it('writes each email as an .eml file in the account folder of the outbox otherwise, readable only by us', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'akked-outbox-'));
    const mailer = createMailer({ smtpUrl: undefined, from: 'Akked <no-reply@akked.test>', dataDirectory: directory, logger: createLogger({ level: 'silent' }) });
    await mailer.send({ to: 'merchant@example.com', subject: 'Hello', text: 'hello', html: '<p>hello</p>', kind: 'verify-email', accountId: 'acc_123' });
    const files = await readdir(path.join(directory, 'outbox', 'acc_123'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/verify-email.*\.eml$/);
    expect((await stat(path.join(directory, 'outbox', 'acc_123', files[0] as string))).mode & 0o777).toBe(0o600);
  });

  it('announces each outbox email with its full path and its links as they are clicked, not as the .eml encodes them', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'akked-outbox-'));
    const announced: OutboxAnnouncement[] = [];
    const mailer = createMailer({ smtpUrl: undefined, from: 'Akked <no-reply@akked.test>', dataDirectory: directory, logger: createLogger({ level: 'silent' }), announce: (written) => announced.push(written) });
    // Long enough, with "=" and non-ASCII text, that quoted-printable would fold and escape it.
    const link = `http://localhost:3000/api/auth/verify-email?token=${'eyJhbGciOiJIUzI1NiJ9.'.repeat(4)}abc&callbackURL=%2F`;
    await mailer.send({ to: 'merchant@example.com', subject: 'تأكيد', text: `مرحبا\n\nConfirm: ${link}\n`, html: `<a href="${link}">x</a>`, kind: 'verify-email', accountId: 'acc_123' });
    expect(announced).toHaveLength(1);
    const [written] = announced as [OutboxAnnouncement];
    expect(written.kind).toBe('verify-email');
    expect(path.isAbsolute(written.file)).toBe(true);
    expect(path.dirname(written.file)).toBe(path.join(directory, 'outbox', 'acc_123'));
    expect(await readFile(written.file, 'utf8')).not.toContain(link);
    expect(written.links).toEqual([link]);
  });

  it("announces only links to this Akked: a payment provider's invoice page stays in the .eml", async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'akked-outbox-'));
    const announced: OutboxAnnouncement[] = [];
    const mailer = createMailer({
      smtpUrl: undefined,
      from: 'Akked <no-reply@akked.test>',
      dataDirectory: directory,
      logger: createLogger({ level: 'silent' }),
      announce: (written) => announced.push(written),
      publicUrl: 'https://akked.example.com',
    });
    const own = 'https://akked.example.com/settings/billing';
    const invoice = 'https://invoice.stripe.com/i/acct_1/live_secret_invoice_link';
    const lookalike = 'https://akked.example.com.evil.test/phish';
    await mailer.send({ to: 'merchant@example.com', subject: 'Receipt', text: `Invoice: ${invoice}\nBilling: ${own}\nOther: ${lookalike}\n`, html: '', kind: 'billing_receipt', accountId: 'acc_123' });
    expect(announced.map((written) => written.links)).toEqual([[own]]);
    expect(await readFile(announced[0]?.file ?? '', 'utf8')).toContain('live_secret_invoice_link');
  });

  describe('in the running service', () => {
    let testRuntime: TestRuntime;

    beforeAll(async () => {
      testRuntime = await startTestRuntime('pglite', { environment: { SMTP_URL: `${smtp.url}/?ignoreTLS=true` } });
    });

    afterAll(async () => {
      await testRuntime?.stop();
    });

    it('delivers the verification email through the SMTP server, with a link to the public URL', async () => {
      const before = smtp.received.length;
      const response = await appOf(testRuntime).inject({
        method: 'POST',
        url: '/api/auth/sign-up/email',
        headers: { origin: testRuntime.config.publicUrl },
        payload: { email: 'smtp.user@example.com', password: 'a long enough password', name: 'Youssef' },
      });
      expect(response.statusCode).toBe(200);
      expect(smtp.received.length).toBe(before + 1);
      const mail = smtp.received.at(-1) as ReceivedMail;
      expect(mail.to).toEqual(['smtp.user@example.com']);
      expect(mail.data.replace(/=\r?\n/g, '')).toContain(`${testRuntime.config.publicUrl}/api/auth/verify-email?token=3D`);
    });
  });
});
