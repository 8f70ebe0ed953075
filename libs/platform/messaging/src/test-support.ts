// Helpers for this library's integration tests; not exported from the index.
import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats } from './connection.js';
import { ensureStream, type StreamSpec } from './streams.js';

export const TEST_NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** Stream names and subject tokens unique to one test file run: files share one NATS account. */
export function uniqueToken(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export async function openTestNats(name: string): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const nc = await connectNats({ servers: [TEST_NATS_URL], name });
  return { nc, jsm: await jetstreamManager(nc) };
}

export function testStreamSpec(name: string, subjects: readonly string[], overrides: Partial<StreamSpec> = {}): StreamSpec {
  return {
    name,
    subjects,
    maxAgeMs: 10 * 60_000,
    duplicateWindowMs: 2 * 60_000,
    maxBytes: 256 * 1024 * 1024,
    maxMsgSize: 1024 * 1024,
    discard: 'new',
    ...overrides,
  };
}

export async function createTestStream(jsm: JetStreamManager, name: string, subjects: readonly string[]): Promise<void> {
  await ensureStream(jsm, testStreamSpec(name, subjects));
}

export async function deleteStreamQuietly(jsm: JetStreamManager | undefined, name: string): Promise<void> {
  await jsm?.streams.delete(name).catch(() => false);
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);
