import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canStartOwnCluster, createTestAuthority, startOwnCluster, type OwnCluster, type TestAuthority } from '../../test/harness/postgres-cluster.ts';
import { TEST_DATABASE_URL } from '../../test/harness/database.ts';
import { createLogger } from '../logger.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import { openDatabase } from './database.ts';
import { migrate } from './migrate.ts';
import { choosePostgresConnection, planPostgresConnection } from './postgres-connection.ts';

describe('DATABASE_URL TLS settings, read as libpq reads them', () => {
  let directory: string;
  let rootCert: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'akked-tls-plan-'));
    rootCert = path.join(directory, 'root.crt');
    await writeFile(rootCert, 'ROOT CERTIFICATE');
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('hands node-postgres the URL without the TLS parameters it would read its own way', () => {
    const plan = planPostgresConnection(`postgres://u:p@db.example.com:5432/akked?sslmode=verify-full&sslrootcert=${rootCert}&application_name=x`);

    expect(plan.first.connectionString).toBe('postgres://u:p@db.example.com:5432/akked?application_name=x');
    expect(plan.first.ssl).toEqual({ rejectUnauthorized: true, ca: 'ROOT CERTIFICATE' });
    expect(plan.fallback).toBeNull();
  });

  it('prefers TLS without checking the certificate by default, and falls back to clear on a server without TLS', () => {
    const plan = planPostgresConnection('postgres://db.example.com/akked');

    expect(plan.first.ssl).toEqual({ rejectUnauthorized: false });
    expect(plan.fallback?.connection.ssl).toBe(false);
    expect(plan.fallback?.when(new Error('The server does not support SSL connections'))).toBe(true);
    expect(plan.fallback?.when(new Error('password authentication failed'))).toBe(false);
  });

  it('disable: clear only; allow: clear first, TLS when pg_hba refuses clear', () => {
    expect(planPostgresConnection('postgres://h/d?sslmode=disable')).toEqual({ first: { connectionString: 'postgres://h/d', ssl: false }, fallback: null });
    const allow = planPostgresConnection('postgres://h/d?sslmode=allow');
    expect(allow.first.ssl).toBe(false);
    expect(allow.fallback?.connection.ssl).toEqual({ rejectUnauthorized: false });
    expect(allow.fallback?.when(Object.assign(new Error('no pg_hba.conf entry'), { code: '28000' }))).toBe(true);
  });

  it('require encrypts without checking, unless a root certificate is given: then it checks the chain as verify-ca', () => {
    expect(planPostgresConnection('postgres://h/d?sslmode=require').first.ssl).toEqual({ rejectUnauthorized: false });
    const withRoot = planPostgresConnection('postgres://h/d?sslmode=require', { sslRootCert: rootCert }).first.ssl;
    expect(withRoot).toMatchObject({ rejectUnauthorized: true, ca: 'ROOT CERTIFICATE' });
    expect(withRoot && withRoot.checkServerIdentity?.('h', {} as never)).toBeUndefined();
  });

  it('verify-ca skips the host name check that verify-full makes, and both need a root certificate', () => {
    const verifyCa = planPostgresConnection('postgres://h/d?sslmode=verify-ca', { sslRootCert: rootCert }).first.ssl;
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true, ca: 'ROOT CERTIFICATE' });
    expect(typeof (verifyCa && verifyCa.checkServerIdentity)).toBe('function');
    const verifyFull = planPostgresConnection('postgres://h/d?sslmode=verify-full', { sslRootCert: rootCert }).first.ssl;
    expect(verifyFull && 'checkServerIdentity' in verifyFull).toBe(false);
    expect(() => planPostgresConnection('postgres://h/d?sslmode=verify-full')).toThrow(/sslmode=verify-full needs the server's root certificate: set PGSSLROOTCERT/);
    expect(planPostgresConnection('postgres://h/d?sslmode=verify-full&sslrootcert=system').first.ssl).toEqual({ rejectUnauthorized: true });
  });

  it('takes the URL over PGSSLMODE and PGSSLROOTCERT, and those over the defaults', () => {
    expect(planPostgresConnection('postgres://h/d', { sslMode: 'disable' }).first.ssl).toBe(false);
    expect(planPostgresConnection('postgres://h/d?sslmode=require', { sslMode: 'disable' }).first.ssl).toEqual({ rejectUnauthorized: false });
    expect(() => planPostgresConnection(`postgres://h/d?sslmode=verify-ca&sslrootcert=${path.join(directory, 'missing.crt')}`, { sslRootCert: rootCert })).toThrow(
      /cannot read the root certificate .*missing\.crt/,
    );
  });

  it('keeps node-postgres\'s own ssl=true meaning every certificate checked against the system\'s CAs', () => {
    expect(planPostgresConnection('postgres://h/d?ssl=true').first).toEqual({ connectionString: 'postgres://h/d', ssl: { rejectUnauthorized: true } });
    expect(planPostgresConnection('postgres://h/d?ssl=false').first.ssl).toBe(false);
  });

  it('refuses an sslmode libpq does not know', () => {
    expect(() => planPostgresConnection('postgres://h/d?sslmode=verify')).toThrow('DATABASE_URL: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full (got verify)');
  });
});

// Needs PostgreSQL's server binaries to run a cluster of its own; skipped on a machine without them.
describe.skipIf(!canStartOwnCluster())('TLS against a PostgreSQL cluster with a self-signed certificate', () => {
  let authority: TestAuthority;
  let stranger: TestAuthority;
  let cluster: OwnCluster;

  beforeAll(async () => {
    authority = await createTestAuthority('Akked Test Root CA');
    stranger = await createTestAuthority('Someone Else CA');
    // TLS only: a connection in clear is refused, as on a hosted database.
    cluster = await startOwnCluster({
      tls: await authority.issue('IP:127.0.0.1'),
      hba: ['hostssl all all 127.0.0.1/32 trust', 'hostnossl all all 127.0.0.1/32 reject'],
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await authority?.remove();
    await stranger?.remove();
  });

  /** Connects as libpq would (fallback included) and answers whether the session is encrypted. */
  const connect = async (url: string, environment: Parameters<typeof planPostgresConnection>[1] = {}): Promise<boolean> => {
    const client = new pg.Client(await choosePostgresConnection(planPostgresConnection(url, environment)));
    await client.connect();
    try {
      const { rows } = await client.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');

      return rows[0]?.ssl === true;
    } finally {
      await client.end();
    }
  };

  it('connects encrypted with require, prefer (the default) and allow, checking nothing', async () => {
    expect(await connect(cluster.url({ sslmode: 'require' }))).toBe(true);
    expect(await connect(cluster.url())).toBe(true);
    expect(await connect(cluster.url({ sslmode: 'allow' }))).toBe(true);
    await expect(connect(cluster.url({ sslmode: 'disable' }))).rejects.toThrow(/no encryption/);
  });

  it('verify-ca and verify-full accept the server signed by PGSSLROOTCERT, and refuse it under another root', async () => {
    expect(await connect(cluster.url({ sslmode: 'verify-ca' }), { sslRootCert: authority.certificateFile })).toBe(true);
    expect(await connect(cluster.url({ sslmode: 'verify-full', sslrootcert: authority.certificateFile }))).toBe(true);
    await expect(connect(cluster.url({ sslmode: 'verify-ca' }), { sslRootCert: stranger.certificateFile })).rejects.toThrow(/self-signed|unable to verify|unable to get local issuer/i);
    // With a root certificate, require checks the chain too.
    await expect(connect(cluster.url({ sslmode: 'require', sslrootcert: stranger.certificateFile }))).rejects.toThrow(/self-signed|unable to verify|unable to get local issuer/i);
    // The system's CAs do not know this private authority.
    await expect(connect(cluster.url({ sslmode: 'verify-full', sslrootcert: 'system' }))).rejects.toThrow(/self-signed|unable to verify|unable to get local issuer/i);
  });

  it('verify-full refuses a certificate for another host name that verify-ca accepts', async () => {
    await cluster.useCertificate(await authority.issue('DNS:db.elsewhere.invalid'));
    try {
      expect(await connect(cluster.url({ sslmode: 'verify-ca', sslrootcert: authority.certificateFile }))).toBe(true);
      await expect(connect(cluster.url({ sslmode: 'verify-full', sslrootcert: authority.certificateFile }))).rejects.toThrow(/127\.0\.0\.1.*(is not in the cert's list|not in the certificate)|altnames/i);
    } finally {
      await cluster.useCertificate(await authority.issue('IP:127.0.0.1'));
    }
  });

  it('runs every connection of Akked over verified TLS: its pool, the job queue and LISTEN', async () => {
    const admin = new pg.Client({ ...planPostgresConnection(cluster.url({ sslmode: 'require' })).first });
    await admin.connect();
    await admin.query('create database akked_tls');
    await admin.end();
    const databaseUrl = cluster.url({ sslmode: 'verify-full' }).replace('/postgres?', '/akked_tls?');
    const database = await openDatabase({ databaseUrl, dataDirectory: '/nonexistent', poolSize: 2, tls: { sslRootCert: authority.certificateFile } });
    try {
      await migrate(database);
      const queue = await JobQueue.start({ database, logger: createLogger({ level: 'silent' }), isSupervisor: false });
      const stopListening = await database.listen('akked_tls_test', () => undefined);
      try {
        const sessions = await database.query<{ application: string; ssl: boolean }>(
          `select a.application_name as application, s.ssl from pg_stat_activity a join pg_stat_ssl s using (pid)
           where a.datname = 'akked_tls' order by 1`,
        );
        expect(new Set(sessions.map((session) => session.application))).toEqual(new Set(['akked', 'akked-jobs', 'akked-listen']));
        expect(sessions.filter((session) => !session.ssl)).toEqual([]);
      } finally {
        await stopListening();
        await queue.stop();
      }
    } finally {
      await database.close();
    }
  });

  it.skipIf(!TEST_DATABASE_URL)('falls back to clear with the default sslmode on a server without TLS', async () => {
    expect(await connect(TEST_DATABASE_URL as string)).toBe(false);
    await expect(connect(TEST_DATABASE_URL as string, { sslMode: 'require' })).rejects.toThrow(/does not support SSL/);
  });
});
