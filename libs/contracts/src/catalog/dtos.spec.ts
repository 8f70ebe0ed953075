import { validatePlain } from '../validation.js';
import { FeatureUsageDto, QuoteRequestDto, SimulateDto, TokensUsageDto } from './dtos.js';

const fields = (r: ReturnType<typeof validatePlain>) => (r.ok ? [] : r.issues.map((i) => `${i.field}:${i.rule}`));

describe('QuoteRequestDto', () => {
  it('accepts a token usage, with amounts as decimal strings, into its own class', () => {
    const r = validatePlain(QuoteRequestDto, {
      catalogId: 'iafactory',
      at: '2026-03-15T00:00:00Z',
      usage: { kind: 'tokens', model: 'gpt-4.1', inputTokens: '500', outputTokens: '1500' },
    });
    expect(r.ok).toBe(true);
    expect(r.ok && r.value.usage).toBeInstanceOf(TokensUsageDto);
  });

  it('accepts a feature usage with named and measured dimensions', () => {
    const r = validatePlain(QuoteRequestDto, { usage: { kind: 'feature', feature: 'video-render', dimensions: { durationS: '15', aspect: '16:9' } } });
    expect(r.ok && r.value.usage).toBeInstanceOf(FeatureUsageDto);
  });

  it('refuses unknown fields, an unknown kind, numbers for amounts, bad times and bad dimensions, naming each', () => {
    expect(fields(validatePlain(QuoteRequestDto, { usage: { kind: 'units', unit: 'x', count: '1' }, extra: 1 }))).toContain('extra:unknownField');
    expect(fields(validatePlain(QuoteRequestDto, { usage: { kind: 'minutes' } }))).toContain('usage.kind:isIn');
    expect(fields(validatePlain(QuoteRequestDto, { usage: { kind: 'tokens', model: 'm', inputTokens: 500, outputTokens: '1' } }))).toContain(
      'usage.inputTokens:isAmount',
    );
    expect(fields(validatePlain(QuoteRequestDto, { at: '2026-02-30T00:00:00Z', usage: { kind: 'units', unit: 'x', count: '1' } }))).toContain('at:isTimestamp');
    expect(fields(validatePlain(QuoteRequestDto, { usage: { kind: 'feature', feature: 'f', dimensions: { pages: 10 } } }))).toContain(
      'usage.dimensions:isDimensions',
    );
    expect(fields(validatePlain(QuoteRequestDto, { usage: { kind: 'units', unit: 'x', count: '1', model: 'y' } }))).toContain('usage.model:unknownField');
    expect(fields(validatePlain(QuoteRequestDto, {}))).toContain('usage:isObject');
  });
});

describe('SimulateDto', () => {
  it('accepts a currency and a mix of usages with counts', () => {
    const r = validatePlain(SimulateDto, { currency: 'EUR', mix: [{ usage: { kind: 'units', unit: 'image-hd', count: '1' }, count: '30' }] });
    expect(r.ok).toBe(true);
  });

  it('refuses an empty mix, a bad currency and a count that is not a decimal string', () => {
    expect(fields(validatePlain(SimulateDto, { currency: 'eur', mix: [] }))).toEqual(expect.arrayContaining(['currency:matches', 'mix:arrayMinSize']));
    expect(fields(validatePlain(SimulateDto, { currency: 'EUR', mix: [{ usage: { kind: 'units', unit: 'x', count: '1' }, count: 3 }] }))).toContain(
      'mix.0.count:isAmount',
    );
  });
});
