// Picks the encoders a caller names in `codecs`, or the default chain (DEFAULT_CODECS, in settings.ts).
import { DEFAULT_CODECS } from '../settings.js';
import type { Encoder } from './encoder.js';

/** Picks encoders by id, in the order given; an unknown or repeated id is an error, not a skip. */
export function selectEncoders(available: readonly Encoder[], ids: readonly string[] | undefined): Encoder[] {
  const byId = new Map(available.map((e) => [e.id, e]));
  const wanted = ids ?? DEFAULT_CODECS.filter((id) => byId.has(id));
  if (wanted.length === 0) throw new Error('codecs is empty: name at least one codec to try');
  const seen = new Set<string>();
  return wanted.map((id) => {
    const encoder = byId.get(id);
    if (!encoder) throw new Error(`Unknown codec "${id}": choose from ${[...byId.keys()].join(', ')}`);
    if (seen.has(id)) throw new Error(`codec "${id}" is listed twice`);
    seen.add(id);
    return encoder;
  });
}
