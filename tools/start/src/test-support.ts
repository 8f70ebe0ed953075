import { Writable } from 'node:stream';

/** Swallows a child's log lines in tests. */
export const discard = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });
