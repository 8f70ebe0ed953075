import type { UsageDto } from '@credence/contracts';
import type { Catalog, Usage } from '@credence/catalog-domain';

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Dimension names that are a choice (`options`) somewhere in the catalog: their values stay names. */
function optionDimensions(catalog: Catalog, feature: string): Set<string> {
  const names = new Set<string>();
  for (const card of catalog.rateCards)
    for (const v of card.versions)
      for (const f of v.features) if (f.feature === feature) for (const d of f.dimensions) if (d.kind === 'options') names.add(d.name);
  return names;
}

/**
 * The domain's usage from the wire's: amounts are decimal strings (validated), and a feature's
 * measure ("505") becomes a number unless the catalog makes that dimension a named choice.
 */
export function toUsage(dto: UsageDto, catalog: Catalog): Usage {
  switch (dto.kind) {
    case 'tokens': {
      const d = dto as Extract<UsageDto, { model: string }>;
      return { kind: 'tokens', model: d.model, inputTokens: BigInt(d.inputTokens), outputTokens: BigInt(d.outputTokens) };
    }
    case 'units': {
      const d = dto as Extract<UsageDto, { unit: string }>;
      return { kind: 'units', unit: d.unit, count: BigInt(d.count) };
    }
    case 'feature': {
      const d = dto as Extract<UsageDto, { feature: string }>;
      const options = optionDimensions(catalog, d.feature);
      const dimensions = Object.fromEntries(
        Object.entries(d.dimensions).map(([name, v]) => [name, !options.has(name) && DECIMAL.test(v) ? BigInt(v) : v] as const),
      );
      return { kind: 'feature', feature: d.feature, dimensions };
    }
  }
}
