import type { CatalogPublishedEvent, PriceChangeAnnouncedEvent } from '@credence/contracts';
import type { CatalogQueries, StoredCatalog } from '@credence/catalog-data-access';
import { parseCatalog, type Catalog, type History, type Issue, type Versioned } from '@credence/catalog-domain';
import { stringifyWithBigints, type Clock } from '@credence/kernel';
import { parseStored, type CatalogCache } from '../catalog-cache.js';

export type LoadResult =
  | { readonly status: 'loaded'; readonly catalogId: string; readonly revision: number; readonly publishedAt: string }
  /** The document does not parse: every issue with its path and rule. */
  | { readonly status: 'invalid'; readonly issues: readonly Issue[] }
  /** The document would change prices already in force: a new version must be appended instead. */
  | { readonly status: 'retroactive'; readonly issues: readonly Issue[] };

/** Publishes the revision's notice, then its price-change announcement when it has one. */
export type PublishCatalogEvent = (event: CatalogPublishedEvent, priceChange?: PriceChangeAnnouncedEvent) => Promise<void>;

const SECTIONS = ['plans', 'packs', 'rateCards'] as const;
const KIND_OF_SECTION = { plans: 'plan', packs: 'pack', rateCards: 'rate_card' } as const;

/**
 * Versions a revision adds that take effect after `now`: the prices that will change, announced
 * (to the accounts on this catalog) before they apply. Versions already in force are not news.
 */
export function announcedChanges(previous: Catalog | undefined, next: Catalog, now: number): PriceChangeAnnouncedEvent['changes'] {
  const changes: PriceChangeAnnouncedEvent['changes'][number][] = [];
  for (const section of SECTIONS) {
    const before = new Map<string, History<Versioned>>((previous?.[section] ?? []).map((h: History<Versioned>) => [h.id, h]));
    for (const history of next[section] as readonly History<Versioned>[]) {
      const known = new Set(before.get(history.id)?.versions.map((v) => v.versionId));
      for (const v of history.versions) {
        if (v.effectiveAt > now && !known.has(v.versionId))
          changes.push({ kind: KIND_OF_SECTION[section], id: history.id, versionId: v.versionId, effectiveAt: new Date(v.effectiveAt).toISOString() });
      }
    }
  }
  return changes;
}

/**
 * Versions that took effect by `now` priced past usage: a new revision keeps each of them
 * unchanged, and adds versions only from `now` on (the domain's `publish` rule, per document).
 */
export function retroactiveChanges(previous: Catalog, next: Catalog, now: number): Issue[] {
  const issues: Issue[] = [];
  for (const section of SECTIONS) {
    const nextHistories = new Map<string, History<Versioned>>(next[section].map((h: History<Versioned>) => [h.id, h]));
    for (const history of previous[section] as readonly History<Versioned>[]) {
      const kept = nextHistories.get(history.id);
      const previousIds = new Set(history.versions.map((v) => v.versionId));
      for (const v of history.versions) {
        if (v.effectiveAt > now) continue;
        const same = kept?.versions.find((n) => n.versionId === v.versionId);
        if (!same || stringifyWithBigints(same) !== stringifyWithBigints(v)) {
          issues.push({ path: `$.${section}[${history.id}].versions[${v.versionId}]`, rule: 'in force since ' + new Date(v.effectiveAt).toISOString() + ': must stay unchanged' });
        }
      }
      for (const v of kept?.versions ?? []) {
        if (!previousIds.has(v.versionId) && v.effectiveAt <= now) {
          issues.push({ path: `$.${section}[${history.id}].versions[${v.versionId}]`, rule: 'a new version must take effect after now' });
        }
      }
    }
  }
  return issues;
}

/** Parses a catalog document, appends it as the next revision, and announces it. */
export class LoadCatalog {
  constructor(
    private readonly queries: CatalogQueries,
    private readonly clock: Clock,
    private readonly publish: PublishCatalogEvent,
    private readonly cache?: CatalogCache,
  ) {}

  async execute(document: unknown): Promise<LoadResult> {
    const parsed = parseCatalog(document);
    if (!parsed.ok) return { status: 'invalid', issues: parsed.issues };
    const previous = await this.queries.latest(parsed.value.id);
    if (previous) {
      const issues = retroactiveChanges(parseStored(previous).catalog, parsed.value, this.clock.now());
      if (issues.length > 0) return { status: 'retroactive', issues };
    }
    // Two loads racing past this check each append; the second was checked against the one before both.
    const stored = await this.queries.append(parsed.value.id, document);
    return this.announce(stored, parsed.value, previous && parseStored(previous).catalog);
  }

  /** Boot of a fresh deployment: loads the document only if the schema holds no catalog at all. */
  async loadIfEmpty(document: unknown): Promise<LoadResult | undefined> {
    const parsed = parseCatalog(document);
    if (!parsed.ok) return { status: 'invalid', issues: parsed.issues };
    const stored = await this.queries.appendIfEmpty(parsed.value.id, document);
    return stored && this.announce(stored, parsed.value, undefined);
  }

  /**
   * Announces the newest revision of every catalog again. The store is the record and the event
   * only a notice, so one lost between the commit and the publish is made good at the next boot;
   * within the stream's duplicate window the repeat is dropped (same Nats-Msg-Id).
   */
  async republishLatest(): Promise<number> {
    const all = await this.queries.list();
    for (const c of all) {
      const before = c.revision > 1 ? await this.queries.revision(c.catalogId, c.revision - 1) : undefined;
      await this.publish(eventOf(c), this.priceChange(c, parseStored(c).catalog, before && parseStored(before).catalog));
    }
    return all.length;
  }

  private async announce(stored: StoredCatalog, catalog: Catalog, previous: Catalog | undefined): Promise<LoadResult> {
    this.cache?.keep({ catalogId: stored.catalogId, revision: stored.revision, publishedAt: stored.publishedAt, catalog });
    const event = eventOf(stored);
    await this.publish(event, this.priceChange(stored, catalog, previous));
    return { status: 'loaded', ...event };
  }

  // Judged against the revision's own publication time, so a re-announcement at boot says the same.
  private priceChange(stored: StoredCatalog, catalog: Catalog, previous: Catalog | undefined): PriceChangeAnnouncedEvent | undefined {
    const changes = announcedChanges(previous, catalog, stored.publishedAt.getTime());
    if (changes.length === 0) return undefined;
    return { catalogId: stored.catalogId, revision: stored.revision, announcedAt: stored.publishedAt.toISOString(), changes };
  }
}

const eventOf = (s: StoredCatalog): CatalogPublishedEvent => ({ catalogId: s.catalogId, revision: s.revision, publishedAt: s.publishedAt.toISOString() });

export const catalogEventMsgId = (e: CatalogPublishedEvent): string => `${e.catalogId}#${e.revision}`;
export const priceChangeMsgId = (e: PriceChangeAnnouncedEvent): string => `${e.catalogId}#${e.revision}#announced`;
