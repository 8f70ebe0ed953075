import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

/** A TCP port nothing listens on right now, for tests that start servers. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Swallows a child's log lines in tests. */
export const discard = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });
