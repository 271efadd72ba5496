import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export type Email = {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** What kind of email this is (for metrics and logs; never the content). */
  kind: string;
  /** The account it belongs to, so the outbox copy is erased with the account. */
  accountId: string | null;
  attachments?: { filename: string; content: string; contentType: string }[];
};

export type Mailer = {
  readonly transport: 'smtp' | 'outbox';
  send(email: Email): Promise<void>;
};

export type CreateMailerOptions = {
  smtpUrl: string | undefined;
  from: string;
  dataDirectory: string;
  logger: Logger;
  onSent?: (kind: string, transport: 'smtp' | 'outbox') => void;
  /** Told of each email written to the outbox (no SMTP_URL), so a person can follow its links. */
  announce?: (written: OutboxAnnouncement) => void;
  /**
   * Akked's own address (AKKED_PUBLIC_URL): only links to it are announced (verification, reset,
   * dashboard pages). The announcement goes to the console and the log stream unredacted, so other
   * links, such as a payment provider's invoice page, stay in the .eml alone.
   */
  publicUrl?: string;
};

export type OutboxAnnouncement = { kind: string; file: string; links: string[] };

/** The links of an email's text, as the person would click them (the .eml holds them encoded). */
export const linksOf = (text: string): string[] => [...new Set(text.match(/https?:\/\/[^\s<>"]+/g) ?? [])];

/** Whether a link leads to this Akked (`publicUrl` and below); every link does when it is not given. */
const isOwnLink = (link: string, publicUrl: string | undefined): boolean => publicUrl === undefined || link === publicUrl || link.startsWith(`${publicUrl}/`);

/** `<data dir>/outbox/<account id or "system">/`: one folder per account, erased with it. */
export const outboxDirectory = (dataDirectory: string, accountId: string | null): string =>
  path.resolve(dataDirectory, 'outbox', accountId ?? 'system');

/**
 * Email over SMTP when SMTP_URL is set; otherwise each email becomes an `.eml` file in the data
 * dir's outbox, so a local install works (and its links can be followed) without a mail server.
 */
export const createMailer = (options: CreateMailerOptions): Mailer => {
  if (options.smtpUrl) {
    const transporter = nodemailer.createTransport(options.smtpUrl);

    return {
      transport: 'smtp',
      send: async (email) => {
        try {
          await transporter.sendMail({ from: options.from, to: email.to, subject: email.subject, text: email.text, html: email.html, attachments: email.attachments ?? [] });
        } catch (error) {
          throw new AppError('upstream_unavailable', { message: `SMTP delivery failed: ${(error as Error).message}`, cause: error });
        }
        options.logger.info({ kind: email.kind, accountId: email.accountId }, 'email sent over SMTP');
        options.onSent?.(email.kind, 'smtp');
      },
    };
  }
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  return {
    transport: 'outbox',
    send: async (email) => {
      const info = await composer.sendMail({ from: options.from, to: email.to, subject: email.subject, text: email.text, html: email.html, attachments: email.attachments ?? [] });
      const directory = outboxDirectory(options.dataDirectory, email.accountId);
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const file = path.join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${email.kind}-${randomBytes(4).toString('hex')}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      if (options.announce) options.announce({ kind: email.kind, file, links: linksOf(email.text).filter((link) => isOwnLink(link, options.publicUrl)) });
      else options.logger.info({ kind: email.kind, accountId: email.accountId, file: path.basename(file) }, 'email written to the outbox');
      options.onSent?.(email.kind, 'outbox');
    },
  };
};
