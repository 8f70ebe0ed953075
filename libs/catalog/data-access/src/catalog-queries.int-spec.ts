import { sql, type Kysely } from 'kysely';
import { closeDatabase, createDatabase, runMigrations } from '@credence/platform-database';
import { createTestSchema, type TestSchema } from '@credence/testing';
import { CatalogQueries } from './catalog-queries.js';
import { CATALOG_MIGRATIONS } from './migrations/0001-catalog.js';
import type { CatalogDatabase } from './schema.js';

let schema: TestSchema;
let db: Kysely<CatalogDatabase>;
let q: CatalogQueries;

beforeAll(async () => {
  schema = await createTestSchema('catalog_da');
  db = createDatabase<CatalogDatabase>({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 4 });
  await runMigrations(db, { schema: schema.schema, migrations: CATALOG_MIGRATIONS });
  q = new CatalogQueries(db);
});

afterAll(async () => {
  await closeDatabase(db);
  await schema.drop();
});

describe('CatalogQueries', () => {
  it('given an empty schema, when the default is loaded if empty, then it is revision 1 and the default; a second attempt does nothing', async () => {
    expect(await q.defaultCatalogId()).toBeUndefined();
    const first = await q.appendIfEmpty('alpha', { id: 'alpha', v: 1 });
    expect(first).toMatchObject({ catalogId: 'alpha', revision: 1, document: { id: 'alpha', v: 1 } });
    expect(await q.appendIfEmpty('beta', { id: 'beta' })).toBeUndefined();
    expect(await q.defaultCatalogId()).toBe('alpha');
  });

  it('when revisions are appended, then they number 1, 2, 3 per catalog and latest gives the newest', async () => {
    expect((await q.append('alpha', { id: 'alpha', v: 2 })).revision).toBe(2);
    expect((await q.append('beta', { id: 'beta', v: 1 })).revision).toBe(1);
    expect((await q.append('alpha', { id: 'alpha', v: 3 })).revision).toBe(3);
    expect(await q.latest('alpha')).toMatchObject({ revision: 3, document: { v: 3 } });
    expect(await q.revision('alpha', 2)).toMatchObject({ revision: 2, document: { v: 2 } });
    expect(await q.latest('nobody')).toBeUndefined();
    // The first catalog stays the default until it is changed.
    expect(await q.defaultCatalogId()).toBe('alpha');
  });

  it('when appends race, then every one gets its own revision, with none lost', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => q.append('gamma', { i })));
    expect(results.map((r) => r.revision).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('lists the newest revision of every catalog', async () => {
    const list = await q.list();
    expect(list.map((c) => [c.catalogId, c.revision])).toEqual([
      ['alpha', 3],
      ['beta', 1],
      ['gamma', 8],
    ]);
  });

  it('refuses to change or remove a stored revision, even through SQL', async () => {
    await expect(sql`update catalog_documents set document = '{}'::jsonb`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from catalog_documents`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate catalog_documents`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`insert into catalog_documents (catalog_id, revision, document) values ('alpha', 3, '{}')`.execute(db)).rejects.toThrow(/unique/);
    expect((await q.latest('alpha'))?.document).toEqual({ id: 'alpha', v: 3 });
  });

  it('changes the default catalog', async () => {
    await q.setDefaultCatalog('beta');
    expect(await q.defaultCatalogId()).toBe('beta');
  });
});
