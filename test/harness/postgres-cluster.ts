import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from './processes.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own (never the shared server on 5432): initdb into a temp
 * folder as the `postgres` OS user, on a free port of 127.0.0.1, stopped and deleted by `stop`.
 */
export type OwnCluster = {
  port: number;
  directory: string;
  /** postgres://postgres@127.0.0.1:<port>/postgres with these query parameters. */
  url(parameters?: Record<string, string>): string;
  /** Replaces the server certificate and reloads (PostgreSQL re-reads its TLS files on SIGHUP). */
  useCertificate(certificate: ServerCertificate): Promise<void>;
  /** Crashes the server as a power cut would (`pg_ctl stop -m immediate`), keeping its data. */
  crash(): Promise<void>;
  /** Starts the server again on the same port and data (after `crash`); resolves once it accepts connections. */
  start(): Promise<void>;
  stop(): Promise<void>;
};

export type ServerCertificate = { certificate: string; key: string };

export type OwnClusterOptions = {
  /** TLS on with this certificate. */
  tls?: ServerCertificate;
  /** pg_hba.conf lines; default: trust every connection from 127.0.0.1, with or without TLS. */
  hba?: string[];
};

/**
 * Whether this machine can run a cluster of the test's own: PostgreSQL's server binaries, a
 * `postgres` OS user, runuser and openssl (CI has them; a fresh developer machine may not, and
 * `npm test` must pass there too).
 */
export const canStartOwnCluster = (): boolean => {
  try {
    const hasServer = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((version) => existsSync(path.join('/usr/lib/postgresql', version, 'bin', 'initdb')));
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    execFileSync('runuser', ['--version'], { stdio: 'ignore' });
    execFileSync('openssl', ['version'], { stdio: 'ignore' });

    return hasServer;
  } catch {
    return false;
  }
};

const postgresBinaries = async (): Promise<string> => {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');

  return path.join('/usr/lib/postgresql', versions[0], 'bin');
};

const asPostgres = (command: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 });

const postgresUser = async (): Promise<{ uid: number; gid: number }> => {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: group } = await run('id', ['-g', 'postgres']);

  return { uid: Number(stdout.trim()), gid: Number(group.trim()) };
};

export const startOwnCluster = async (options: OwnClusterOptions = {}): Promise<OwnCluster> => {
  const binaries = await postgresBinaries();
  const directory = await mkdtemp(path.join(tmpdir(), 'akked-cluster-'));
  const data = path.join(directory, 'data');
  const { uid, gid } = await postgresUser();
  await chown(directory, uid, gid);
  const port = await findFreePort();
  const writeOwned = async (file: string, content: string) => {
    await writeFile(file, content);
    await chown(file, uid, gid);
    await chmod(file, 0o600);
  };
  const installCertificate = async (certificate: ServerCertificate) => {
    await writeOwned(path.join(data, 'server.crt'), certificate.certificate);
    await writeOwned(path.join(data, 'server.key'), certificate.key);
  };
  const startServer = () => asPostgres(path.join(binaries, 'pg_ctl'), ['-D', data, '-l', path.join(directory, 'server.log'), '-w', 'start']);
  try {
    await asPostgres(path.join(binaries, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    const settings = [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${directory}'`,
      'fsync = off',
      'shared_buffers = 16MB',
      'max_connections = 40',
    ];
    if (options.tls) {
      await installCertificate(options.tls);
      settings.push('ssl = on', `ssl_cert_file = 'server.crt'`, `ssl_key_file = 'server.key'`);
    }
    await writeOwned(path.join(data, 'postgresql.auto.conf'), `${settings.join('\n')}\n`);
    const hba = options.hba ?? ['host all all 127.0.0.1/32 trust'];
    await writeOwned(path.join(data, 'pg_hba.conf'), `local all all trust\n${hba.join('\n')}\n`);
    await startServer();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    directory,
    url: (parameters = {}) => {
      const url = new URL(`postgres://postgres@127.0.0.1:${port}/postgres`);
      for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);

      return url.toString();
    },
    useCertificate: async (certificate) => {
      await installCertificate(certificate);
      await asPostgres(path.join(binaries, 'pg_ctl'), ['-D', data, 'reload']);
      // The postmaster re-reads the files when it handles SIGHUP, shortly after pg_ctl returns.
      await new Promise((resolve) => setTimeout(resolve, 500));
    },
    crash: async () => {
      await asPostgres(path.join(binaries, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    },
    start: async () => {
      await startServer();
    },
    stop: async () => {
      await asPostgres(path.join(binaries, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
};

/** A certificate authority and certificates it signs, made with openssl in a temp folder. */
export type TestAuthority = {
  /** The CA's certificate in PEM, to trust. */
  certificate: string;
  /** Its file, for PGSSLROOTCERT / sslrootcert. */
  certificateFile: string;
  issue(subjectAltName: string): Promise<ServerCertificate>;
  remove(): Promise<void>;
};

export const createTestAuthority = async (name: string): Promise<TestAuthority> => {
  const directory = await mkdtemp(path.join(tmpdir(), 'akked-ca-'));
  const file = (base: string) => path.join(directory, base);
  const openssl = (args: string[]) => run('openssl', args, { cwd: directory, timeout: 30_000 });
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', 'ca.key', '-out', 'ca.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  let issued = 0;

  return {
    certificate: await readFile(file('ca.crt'), 'utf8'),
    certificateFile: file('ca.crt'),
    issue: async (subjectAltName) => {
      const base = `server-${++issued}`;
      await writeFile(file(`${base}.ext`), `subjectAltName = ${subjectAltName}\nextendedKeyUsage = serverAuth\n`);
      await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=akked-test-server', '-keyout', `${base}.key`, '-out', `${base}.csr`]);
      await openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
        '-extfile', `${base}.ext`, '-out', `${base}.crt`]);

      return { certificate: await readFile(file(`${base}.crt`), 'utf8'), key: await readFile(file(`${base}.key`), 'utf8') };
    },
    remove: () => rm(directory, { recursive: true, force: true }),
  };
};
