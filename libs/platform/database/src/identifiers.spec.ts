import { assertSchemaName, isSchemaName, quoteIdent } from './identifiers.js';

describe('schema names', () => {
  it('accepts lowercase identifiers', () => {
    for (const good of ['ledger', 'ledger_2', '_x', 'a'.repeat(63)]) {
      expect(assertSchemaName(good)).toBe(good);
    }
  });

  it('refuses anything that would need quoting, is reserved or would be truncated', () => {
    for (const bad of ['', 'Ledger', '2ledger', 'led-ger', 'led ger', 'a"b', 'pg_catalog', 'a'.repeat(64)]) {
      expect(isSchemaName(bad)).toBe(false);
      expect(() => assertSchemaName(bad)).toThrow(/lowercase letters, digits and underscores/);
    }
  });
});

describe('quoteIdent', () => {
  it('wraps in double quotes and doubles embedded quotes', () => {
    expect(quoteIdent('ledger')).toBe('"ledger"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });

  it('refuses empty names and NUL', () => {
    expect(() => quoteIdent('')).toThrow(/non-empty/);
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
  });
});
