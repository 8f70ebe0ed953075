import { LEDGER_EVENT_SUBJECTS } from '@credence/contracts';
import { waitFor } from '@credence/testing';
import { LedgerDeployment, type LedgerProcess } from '../testing/ledger-process.js';

let d: LedgerDeployment;
let ledger: LedgerProcess;

beforeAll(async () => {
  d = await LedgerDeployment.create('cmds');
  ledger = await d.start();
});

afterAll(async () => {
  await d?.close();
});

const account = async (accountId: string) => {
  const [row] = await d.query<{ balance: bigint; debt: bigint; version: bigint }>('select * from accounts where account_id = $1', [accountId]);
  return row;
};
const eventTypes = async (accountId: string) =>
  (await d.query<{ type: string }>('select type from events where account_id = $1 order by seq', [accountId])).map((r) => r.type);

describe('commands on the JetStream command stream', () => {
  it('applies a command published three times (three distinct Nats-Msg-Ids) once', async () => {
    // Given a grant and a usage, each published three times with a fresh Nats-Msg-Id
    const grant = { key: 'g-once', accountId: 'once', source: 'purchase', amount: '100' };
    const usage = { key: 'u-once', accountId: 'once', amount: '30' };
    const acks = [
      ...(await d.publishMany([grant, grant, grant].map((body) => ({ kind: 'IssueGrant' as const, body })))),
    ];
    await d.waitUntilConsumed();
    // (the repeats of the usage arrive one by one, in separate batches and transactions)
    for (let i = 0; i < 3; i++) {
      acks.push(await d.publish('RecordUsage', usage));
      await d.waitUntilConsumed();
    }

    // Then JetStream stored all six messages: its own dedup hid nothing from the ledger
    expect(acks.map((a) => a.duplicate)).toEqual([false, false, false, false, false, false]);
    expect(new Set(acks.map((a) => a.seq)).size).toBe(6);
    // And the ledger applied each command once
    expect(await eventTypes('once')).toEqual(['GrantIssued', 'UsageDeducted']);
    expect(await account('once')).toMatchObject({ balance: 70n, debt: 0n });
    const keys = await d.query<{ key: string }>(`select key from commands where account_id = 'once' order by key`);
    expect(keys.map((k) => k.key)).toEqual(['g-once', 'u-once']);
    const rejects = await d.query(`select * from rejects where account_id = 'once'`);
    expect(rejects).toEqual([]);
  });

  it('records malformed and conflicting commands in rejects with their raw bytes, and keeps consuming', async () => {
    // Given a first grant, then bad JSON, a missing field, an unknown field and a conflicting
    // reuse of the first grant's key, then a valid usage behind them all
    const bytes = (text: string) => Buffer.from(text, 'utf8');
    const sent = {
      grant: bytes(JSON.stringify({ key: 'g1', accountId: 'rej', source: 'purchase', amount: '100' })),
      badJson: bytes('{"key":"bad","accountId":"rej","source":"purch'),
      missing: bytes(JSON.stringify({ key: 'missing', accountId: 'rej', source: 'purchase' })),
      unknown: bytes(JSON.stringify({ key: 'unknown', accountId: 'rej', source: 'purchase', amount: '5', colour: 'red' })),
      conflict: bytes(JSON.stringify({ key: 'g1', accountId: 'rej', source: 'purchase', amount: '999' })),
      after: bytes(JSON.stringify({ key: 'after', accountId: 'rej', amount: '10' })),
    };
    const acks = await d.publishMany([
      { kind: 'IssueGrant', body: sent.grant },
      { kind: 'IssueGrant', body: sent.badJson },
      { kind: 'IssueGrant', body: sent.missing },
      { kind: 'IssueGrant', body: sent.unknown },
      { kind: 'IssueGrant', body: sent.conflict },
      { kind: 'RecordUsage', body: sent.after },
    ]);

    // When the ledger has consumed them
    await d.waitUntilConsumed();

    // Then the four bad ones are in rejects, byte for byte, with a reason naming what is wrong
    const rows = await d.query<{ stream_seq: bigint; subject: string; reason: string; detail: string; raw: Buffer; account_id: string | null; command_key: string | null }>(
      'select stream_seq, subject, reason, detail, raw, account_id, command_key from rejects where stream_seq = any($1::int8[]) order by stream_seq',
      [acks.map((a) => a.seq)],
    );
    const grantSubject = d.commandSubject('IssueGrant');
    expect(rows.map((r) => ({ seq: Number(r.stream_seq), subject: r.subject, reason: r.reason }))).toEqual([
      { seq: acks[1]!.seq, subject: grantSubject, reason: 'invalid' },
      { seq: acks[2]!.seq, subject: grantSubject, reason: 'invalid' },
      { seq: acks[3]!.seq, subject: grantSubject, reason: 'invalid' },
      { seq: acks[4]!.seq, subject: grantSubject, reason: 'idempotency_conflict' },
    ]);
    expect(rows.map((r) => Buffer.from(r.raw))).toEqual([sent.badJson, sent.missing, sent.unknown, sent.conflict]);
    expect(rows[0]!.detail).toMatch(/not JSON/);
    expect(rows[1]!.detail).toMatch(/amount/);
    expect(rows[2]!.detail).toMatch(/colour/);
    expect(rows[3]).toMatchObject({ account_id: 'rej', command_key: 'g1' });

    // And the good commands around them were applied: the stream did not stall on the bad ones
    expect(await eventTypes('rej')).toEqual(['GrantIssued', 'UsageDeducted']);
    expect(await account('rej')).toMatchObject({ balance: 90n, debt: 0n });
    const consumer = await d.jsm.consumers.info(d.commandStream, 'ledger-commands');
    expect(consumer.num_ack_pending).toBe(0);
    expect(consumer.num_redelivered).toBe(0);
  });
});

describe('low-balance threshold', () => {
  it('publishes one BalanceLow per crossing below the level, and another after a top-up and a new crossing', async () => {
    const lowSubject = d.eventSubject(LEDGER_EVENT_SUBJECTS.BalanceLow);
    const lowCount = async () => {
      await d.waitUntilPublished();
      return (await d.streamSubjectCounts(LEDGER_EVENT_SUBJECTS.BalanceLow))[lowSubject] ?? 0;
    };
    const ok = (reply: { status: number }) => expect(reply.status).toBe(200);

    // Given an account with 100 credits and a "recharge" threshold at 50
    ok(await ledger.post('/api/ledger/grants', { key: 'g1', accountId: 'low', source: 'purchase', amount: '100' }));
    ok(await ledger.put('/api/ledger/thresholds', { key: 't1', accountId: 'low', name: 'recharge', level: '50' }));
    expect(await lowCount()).toBe(0);

    // When it spends below the level, then spends more
    ok(await ledger.post('/api/ledger/usage', { key: 'u1', accountId: 'low', amount: '60' }));
    ok(await ledger.post('/api/ledger/usage', { key: 'u2', accountId: 'low', amount: '10' }));
    await d.publish('RecordUsage', { key: 'u3', accountId: 'low', amount: '5' });
    await d.waitUntilConsumed();

    // Then exactly one BalanceLow is on the stream
    expect(await lowCount()).toBe(1);

    // When it is topped up above the level and spends below it again
    ok(await ledger.post('/api/ledger/grants', { key: 'g2', accountId: 'low', source: 'purchase', amount: '100' }));
    ok(await ledger.post('/api/ledger/usage', { key: 'u4', accountId: 'low', amount: '100' }));
    ok(await ledger.post('/api/ledger/usage', { key: 'u5', accountId: 'low', amount: '1' }));

    // Then a second one, and only a second one
    expect(await lowCount()).toBe(2);
    const lows = (await d.readEventStream()).filter((m) => m.subject === lowSubject);
    expect(lows.map((m) => [m.envelope.accountId, m.envelope.commandKey, m.envelope.data['available']])).toEqual([
      ['low', 'u1', '40'],
      ['low', 'u4', '25'],
    ]);
    expect(await eventTypes('low')).toEqual([
      'GrantIssued',
      'ThresholdSet',
      'UsageDeducted',
      'BalanceLow',
      'UsageDeducted',
      'UsageDeducted',
      'GrantIssued',
      'ThresholdRearmed',
      'UsageDeducted',
      'BalanceLow',
      'UsageDeducted',
    ]);
  });
});

describe('the outbox relay', () => {
  it('publishes every event in log order with Nats-Msg-Id = event id, and never twice across crashes', async () => {
    // Given a few thousand commands over 30 accounts
    const commands = Array.from({ length: 3_000 }, (_, i) => {
      const accountId = `out-${i % 30}`;
      return i < 30
        ? { kind: 'IssueGrant' as const, body: { key: `g${i}`, accountId, source: 'purchase', amount: '100000' } }
        : { kind: 'RecordUsage' as const, body: { key: `u${i}`, accountId, amount: String(1 + (i % 7)) } };
    });
    const before = await d.eventCount();
    await d.publishMany(commands);

    // When the ledger is killed (SIGKILL) while it applies and publishes them
    await waitFor(async () => (await d.eventCount()) >= before + 500, { what: 'some of the commands to be applied', timeoutMs: 30_000, intervalMs: 20 });
    await ledger.kill('SIGKILL');
    // ... and, worst case, it had published events without saving how far it got
    await d.query(`update outbox_position set last_seq = greatest(last_seq - 400, 0)`);
    ledger = await d.start();
    await d.waitUntilConsumed();
    await waitFor(
      async () => {
        const [row] = await d.query<{ published: boolean }>(
          'select (select last_seq from outbox_position) = (select max(seq) from events) as published',
        );
        return row?.published;
      },
      { what: 'the relay to reach the end of the log', timeoutMs: 30_000 },
    );

    // Then the stream holds each event once, in the log's order, under its event id
    const events = await d.query<{ seq: bigint; event_id: string }>('select seq, event_id from events order by seq');
    expect(events.length).toBe(before + commands.length);
    const streamed = await d.readEventStream();
    expect(streamed.length).toBe(events.length);
    expect(streamed.map((m) => m.msgId)).toEqual(events.map((e) => e.event_id));
    expect(streamed.map((m) => m.envelope.id)).toEqual(events.map((e) => e.event_id));
    expect(streamed.map((m) => m.envelope.seq)).toEqual(events.map((e) => e.seq.toString()));
    expect(streamed.map((m) => m.streamSeq)).toEqual(streamed.map((_, i) => i + 1));
  });
});
