import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../test/harness/runtime.ts';
import { createMailer, outboxDirectory } from '../email/mailer.ts';
import { EMAIL_LANGUAGES, renderAccountDeletedEmail } from '../email/templates.ts';
import { createLogger } from '../logger.ts';
import { sendAccountDeletedEmails } from './account-deletion-email.ts';

// Valid in an address, dangerous in HTML.
const ADDRESS = "o'brien&sons@example.com";

describe('account deletion email', () => {
  let dataDirectory: string;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-deletion-email-'));
  });

  afterAll(async () => {
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('says the account was deleted in Arabic, English and French, with the address escaped in HTML', () => {
    const subjects = new Set<string>();
    for (const language of EMAIL_LANGUAGES) {
      const email = renderAccountDeletedEmail(language, ADDRESS);
      subjects.add(email.subject);
      expect(email.text).toContain(ADDRESS);
      expect(email.html).toContain('o&#39;brien&amp;sons@example.com');
      expect(email.html).not.toContain(ADDRESS);
      expect(email.html).toContain(`lang="${language}" dir="${language === 'ar' ? 'rtl' : 'ltr'}"`);
      expect(email.html).not.toMatch(/<a |https?:/);
    }
    expect(subjects.size).toBe(3);
    expect(renderAccountDeletedEmail('ar', ADDRESS).text).toMatch(/[\u0600-\u06FF]/);
  });

  it("writes the confirmation into the account's outbox folder after that folder was removed, in each user's language", async () => {
    const mailer = createMailer({ smtpUrl: undefined, from: 'Akked <no-reply@akked.test>', dataDirectory, logger: createLogger({ level: 'silent' }) });
    await rm(outboxDirectory(dataDirectory, 'acc_gone'), { recursive: true, force: true });
    const result = await sendAccountDeletedEmails(
      { mailer, logger: createLogger({ level: 'silent' }) },
      { accountId: 'acc_gone', recipients: [{ email: 'owner@example.com', language: 'ar' }, { email: 'partner@example.com', language: 'xx' }] },
    );
    expect(result).toEqual({ sent: 2, failed: 0 });
    expect(await readdir(outboxDirectory(dataDirectory, 'acc_gone'))).toHaveLength(2);
    const mails = await readOutbox(dataDirectory);
    expect(mails.map((mail) => [mail.to, mail.subject]).sort()).toEqual([
      ['owner@example.com', 'تم حذف حسابك في Akked'],
      ['partner@example.com', 'Your Akked account has been deleted'],
    ]);
  });

  it('retries a failed delivery, then logs the failure without the address and does not throw', async () => {
    // An SMTP server that hangs up on every connection, counting them.
    let connections = 0;
    const refusing = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    const port = await new Promise<number>((resolve) => {
      refusing.listen(0, '127.0.0.1', () => {
        const address = refusing.address();
        resolve(typeof address === 'object' && address ? address.port : 1);
      });
    });
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }) });
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}/?ignoreTLS=true`, from: 'Akked <no-reply@akked.test>', dataDirectory, logger });
    const result = await sendAccountDeletedEmails({ mailer, logger }, { accountId: 'acc_unlucky', recipients: [{ email: ADDRESS, language: 'fr' }] });
    await new Promise((resolve) => refusing.close(resolve));
    expect(result).toEqual({ sent: 0, failed: 1 });
    expect(connections).toBe(3);
    const failure = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.msg === 'the account deletion email could not be delivered');
    expect(failure).toMatchObject({ kind: 'account-deleted', accountId: 'acc_unlucky', reason: 'upstream_unavailable' });
    expect(lines.join('')).not.toContain('brien');
  });
});
