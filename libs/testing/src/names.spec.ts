import { uniqueName } from './names.js';

describe('uniqueName', () => {
  it('gives a different lowercase identifier each time, safe for schemas, streams and subjects', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName('ledger_it')));
    expect(names.size).toBe(1000);
    for (const name of names) {
      expect(name).toMatch(/^ledger_it_[a-z0-9]{10}$/);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('refuses prefixes that would not survive as a schema or subject token', () => {
    for (const bad of ['', 'Ledger', '1x', 'a.b', 'a-b', 'a*', 'x'.repeat(41)]) {
      expect(() => uniqueName(bad)).toThrow(/lowercase letters/);
    }
  });
});
