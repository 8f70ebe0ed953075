import { findUntraversableAncestor } from './postgres.js';

describe('findUntraversableAncestor', () => {
  const postgres = { uid: 101, gid: 104 };
  const stats: Record<string, { mode: number; uid: number; gid: number }> = {
    '/': { mode: 0o755, uid: 0, gid: 0 },
    '/work': { mode: 0o755, uid: 0, gid: 0 },
    '/work/main': { mode: 0o755, uid: 0, gid: 0 },
    '/root': { mode: 0o700, uid: 0, gid: 0 },
    '/root/repo': { mode: 0o755, uid: 0, gid: 0 },
    '/shared': { mode: 0o750, uid: 0, gid: 104 },
  };
  const stat = (path: string) => stats[path];

  it('accepts a path every ancestor of which the postgres user can enter, including ones yet to be created', () => {
    expect(findUntraversableAncestor('/work/main/.data/postgres', postgres, stat)).toBeUndefined();
    expect(findUntraversableAncestor('/shared/pg', postgres, stat)).toBeUndefined();
  });

  it('names the directory that blocks it, e.g. a repository under /root', () => {
    expect(findUntraversableAncestor('/root/repo/.data/postgres', postgres, stat)).toBe('/root');
  });
});
