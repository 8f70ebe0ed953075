import { loadRechargeConfig, paymentPolicy } from './recharge-config.js';

describe('recharge configuration', () => {
  it('has defaults that load: 1 min / 10 min / 1 h between declined attempts, port 3004', () => {
    const c = loadRechargeConfig({});
    expect(c.PORT).toBe(3004);
    expect(paymentPolicy(c)).toEqual({ retryDelaysMs: [60_000, 600_000, 3_600_000], confirmPollMs: 30_000, confirmTimeoutMs: 3_600_000 });
  });

  it('refuses a shrinking back-off, a lease shorter than one step, and names the variable', () => {
    expect(() => loadRechargeConfig({ DECLINE_RETRY_DELAYS_MS: '600000,60000' })).toThrow(/DECLINE_RETRY_DELAYS_MS: each delay/);
    expect(() => loadRechargeConfig({ DECLINE_RETRY_DELAYS_MS: 'soon' })).toThrow(/DECLINE_RETRY_DELAYS_MS must be comma-separated/);
    expect(() => loadRechargeConfig({ WORK_LEASE_MS: '20000' })).toThrow(/WORK_LEASE_MS must exceed/);
    expect(() => loadRechargeConfig({ GATEWAY: 'stripe' })).toThrow(/GATEWAY/);
  });
});
