import { validatePlain } from '../validation.js';
import { DeliveriesQueryDto, EmailRecipientDto, WebhookEndpointDto } from './dtos.js';

const fields = (r: ReturnType<typeof validatePlain>) => (r.ok ? [] : r.issues.map((i) => `${i.field}:${i.rule}`));

describe('notifier DTOs', () => {
  it('accepts http(s) webhook URLs, loopback and ports included, and refuses other schemes, credentials and non-URLs', () => {
    for (const url of ['https://hooks.example.com/credence', 'http://127.0.0.1:8080/hook', 'http://localhost:3000/x?y=1'])
      expect(validatePlain(WebhookEndpointDto, { accountId: 'acct-1', url, kinds: ['balance_low'] }).ok).toBe(true);
    for (const url of ['ftp://example.com/x', 'example.com/hook', 'https://user:pw@example.com/', 'javascript:alert(1)', '', 42])
      expect(fields(validatePlain(WebhookEndpointDto, { accountId: 'acct-1', url, kinds: ['balance_low'] }))).toContain(url === 42 ? 'url:isString' : 'url:isUrl');
  });

  it('requires kinds to be a non-empty set of known kinds', () => {
    for (const kinds of [[], ['balance_low', 'balance_low'], ['balance_low', 'everything'], 'balance_low'])
      expect(fields(validatePlain(WebhookEndpointDto, { accountId: 'a', url: 'https://x.example/h', kinds })).some((f) => f.startsWith('kinds:'))).toBe(true);
    expect(validatePlain(EmailRecipientDto, { accountId: 'a', address: 'ops@example.com', kinds: ['recharge_failed', 'price_change'] }).ok).toBe(true);
  });

  it('refuses bad addresses, unknown fields, and account ids with a #', () => {
    expect(fields(validatePlain(EmailRecipientDto, { accountId: 'a#1', address: 'not-an-address', kinds: ['balance_low'], cc: 'x' }))).toEqual(
      expect.arrayContaining(['accountId:matches', 'address:isEmail', 'cc:unknownField']),
    );
  });

  it('checks the delivery log query as text', () => {
    expect(validatePlain(DeliveriesQueryDto, { accountId: 'a', status: 'dead', cursor: '12', limit: '100' }).ok).toBe(true);
    expect(fields(validatePlain(DeliveriesQueryDto, { accountId: 'a', status: 'lost', cursor: '0', limit: '101' }))).toEqual(
      expect.arrayContaining(['status:isIn', 'cursor:matches', 'limit:matches']),
    );
  });
});
