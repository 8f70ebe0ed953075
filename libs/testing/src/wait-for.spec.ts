import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first truthy value, treating throws as not yet', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls++;
        if (calls < 3) throw new Error('not up');
        return calls === 3 ? 'ready' : undefined;
      },
      { what: 'the third call', timeoutMs: 1_000, intervalMs: 1 },
    );
    expect(value).toBe('ready');
  });

  it('names what it waited for, and the last error, on timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { what: 'the ledger to start', timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow(/Timed out after 30 ms waiting for the ledger to start; last error: connection refused/);
  });
});
