import { ack, errorNakDelayMs, nak, serverAtLeast, settle, term, type Settleable } from './outcome.js';

function recorder(): Settleable & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    ack: () => calls.push('ack'),
    nak: (millis) => calls.push(`nak:${millis}`),
    term: (reason) => calls.push(reason === undefined ? 'term' : `term:${reason}`),
  };
}

describe('settle', () => {
  it('given each outcome, then the matching JetStream acknowledgement is sent', () => {
    const msg = recorder();

    settle(msg, ack(), true);
    settle(msg, nak(1_500.4), true);
    settle(msg, nak(-5), true);
    settle(msg, term('poison'), true);

    expect(msg.calls).toEqual(['ack', 'nak:1500', 'nak:0', 'term:poison']);
  });

  it('given a server that ignores term reasons, then term is sent bare so it still terminates', () => {
    const msg = recorder();

    settle(msg, term('poison'), false);

    expect(msg.calls).toEqual(['term']);
  });
});

describe('errorNakDelayMs', () => {
  it('given growing delivery counts, then the delay doubles up to the cap', () => {
    expect([1, 2, 3, 4, 10, 1_000].map((n) => errorNakDelayMs(n, 1_000, 5_000))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  });
});

describe('serverAtLeast', () => {
  it.each([
    ['2.9.10', false],
    ['2.11.0', true],
    ['2.12.1', true],
    ['3.0.0', true],
    [undefined, false],
    ['garbage', false],
  ])('given server %s, then term reasons supported is %s', (version, expected) => {
    expect(serverAtLeast(version, 2, 11)).toBe(expected);
  });
});
