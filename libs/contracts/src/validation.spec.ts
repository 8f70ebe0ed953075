import { IssueGrantDto, RecordUsageDto } from './ledger/commands.js';
import { validatePlain, validateJson } from './validation.js';

describe('validatePlain', () => {
  it('accepts a well-formed command', () => {
    const result = validatePlain(RecordUsageDto, { key: 'k1', accountId: 'acc-1', amount: '9007199254740993', resource: { model: 'gpt-4.1' } });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.resource?.model).toBe('gpt-4.1');
  });

  it('names the field and the rule for each broken rule, nested ones included', () => {
    const result = validatePlain(RecordUsageDto, { key: '', accountId: 'a b', amount: 12, resource: { model: 'x'.repeat(201) } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const found = result.issues.map((i) => `${i.field}:${i.rule}`);
    expect(found).toEqual(expect.arrayContaining(['key:isLength', 'accountId:matches', 'amount:isAmount', 'resource.model:maxLength']));
  });

  it('refuses unknown fields, floats and amounts beyond bigint', () => {
    const unknown = validatePlain(IssueGrantDto, { key: 'k', accountId: 'a', source: 'promo', amount: '5', colour: 'red' });
    expect(unknown.ok ? [] : unknown.issues.map((i) => `${i.field}:${i.rule}`)).toEqual(['colour:unknownField']);
    for (const amount of ['1.5', '-1', '0', '99999999999999999999', '1e3']) {
      const r = validatePlain(IssueGrantDto, { key: 'k', accountId: 'a', source: 'promo', amount });
      expect(r.ok).toBe(false);
    }
  });

  it('takes times only in RFC 3339 form, which every reader parses alike', () => {
    const grant = (expiresAt: string) => validatePlain(IssueGrantDto, { key: 'k', accountId: 'a', source: 'promo', amount: '5', expiresAt });
    expect(grant('2030-01-01T00:00:00Z').ok).toBe(true);
    expect(grant('2030-01-01T00:00:00.123+02:00').ok).toBe(true);
    for (const bad of ['2030-W01-1', '20300101', '2030-01-01T00:00:00,5Z', '2030-01-01', '2030-02-30T00:00:00Z']) {
      const r = grant(bad);
      expect(r.ok ? 'accepted' : r.issues.map((i) => `${i.field}:${i.rule}`)).toEqual(['expiresAt:isTimestamp']);
    }
  });

  it('reports bad JSON and non-objects on the body', () => {
    const bad = validateJson(IssueGrantDto, '{nope');
    expect(bad.ok ? '' : bad.issues[0]?.rule).toBe('isJson');
    const arr = validatePlain(IssueGrantDto, []);
    expect(arr.ok ? '' : arr.issues[0]?.rule).toBe('isObject');
  });
});
