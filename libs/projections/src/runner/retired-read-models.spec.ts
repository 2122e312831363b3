import { embeddedProjections } from '../embedded-read-side.js';
import { RETIRED_SQLITE_READ_MODELS } from './retired-read-models.js';

describe('the retired read models of the embedded profile', () => {
  const current = embeddedProjections();

  it('never name a table a current projection writes', () => {
    const written = new Set(current.flatMap((p) => p.tables));
    expect(RETIRED_SQLITE_READ_MODELS.flatMap((r) => r.tables).filter((t) => written.has(t))).toEqual([]);
    expect(written.size).toBeGreaterThan(0);
  });

  it('each name its successor among the current projections, under another name', () => {
    const names = current.map((p) => p.name);
    for (const r of RETIRED_SQLITE_READ_MODELS) {
      expect(names).toContain(r.successor);
      expect(names).not.toContain(r.name);
    }
  });
});
