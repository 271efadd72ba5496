import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { migrate } from '../db/migrate.ts';
import { cleanPersonName, PersonNameSchema } from './person-name.ts';

describe('person names', () => {
  it('keeps one line of text: no control, direction-changing or zero-width characters', () => {
    expect(cleanPersonName('  Amina\n\tHaddad  ')).toBe('Amina Haddad');
    expect(cleanPersonName('Ali\u202Egnp.exe\u202C')).toBe('Alignp.exe');
    expect(cleanPersonName('Sa\u200Bra\u0000\u007F\u0085')).toBe('Sara');
    // Persian spells names with the zero-width non-joiner: it stays.
    expect(cleanPersonName('مهر\u200Cناز')).toBe('مهر\u200Cناز');
    expect(cleanPersonName('e\u0301mile')).toBe('émile');
    // Unpaired surrogates become U+FFFD, as in every outside text; a pair (an emoji) stays.
    expect(cleanPersonName('Lina\ud800 \udc00Ali 😀')).toBe('Lina\ufffd \ufffdAli 😀');
  });

  it('refuses empty names and names over 100 characters, however they are padded', () => {
    expect(PersonNameSchema.safeParse(' \n\u202E ').success).toBe(false);
    expect(PersonNameSchema.safeParse('x'.repeat(101)).success).toBe(false);
    expect(PersonNameSchema.safeParse(`${'x'.repeat(100)}${' '.repeat(500)}`).data).toBe('x'.repeat(100));
    expect(PersonNameSchema.safeParse('x'.repeat(1024 * 1024)).success).toBe(false);
  });
});

describe.each(TEST_BACKENDS)('names stored before the rule, on %s', (backend) => {
  let testDatabase: TestDatabase;
  let earlier: string;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend, { migrate: false });
    // The migrations up to the one that cleans names, then rows as the old code wrote them.
    const directory = path.join(path.dirname(fileURLToPath(import.meta.url)), '../db/migrations');
    earlier = await mkdtemp(path.join(tmpdir(), 'akked-migrations-'));
    for (const file of await readdir(directory)) if (file < '0013') await cp(path.join(directory, file), path.join(earlier, file));
    await migrate(testDatabase.database, { directory: earlier });
  });

  afterAll(async () => {
    await testDatabase?.close();
    await rm(earlier, { recursive: true, force: true });
  });

  it('cleans and shortens them when migrating', async () => {
    const { database } = testDatabase;
    const long = `URGENT\n\nsign in at evil.example/login ${'x'.repeat(3_000)}`;
    await database.query("insert into accounts (id, name) values ('acc_names', $1)", [long]);
    await database.query("insert into users (id, name, email, account_id) values ('usr_long', $1, 'long@example.com', 'acc_names'), ('usr_fine', 'Amina Haddad', 'fine@example.com', 'acc_names'), ('usr_odd', $2, 'odd@example.com', 'acc_names')", [long, '\u202E\u0007']);
    await migrate(database);
    const users = await database.query<{ id: string; name: string }>('select id, name from users order by id');
    expect(users.find((user) => user.id === 'usr_fine')?.name).toBe('Amina Haddad');
    expect(users.find((user) => user.id === 'usr_odd')?.name).toBe('Merchant');
    const cleaned = users.find((user) => user.id === 'usr_long')?.name ?? '';
    expect(cleaned).toHaveLength(100);
    expect(cleaned.startsWith('URGENT sign in at evil.example/login x')).toBe(true);
    const [account] = await database.query<{ name: string }>("select name from accounts where id = 'acc_names'");
    expect(account?.name).toBe(cleaned);
  });
});
