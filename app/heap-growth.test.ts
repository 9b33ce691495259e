import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

/**
 * Runs a Node process that fixes the heap growth (or not), then allocates until V8 sets new limits,
 * and returns the factors V8 set them with (its `Limit: … (factor)` lines after the setting).
 */
function factorsPrinted(percent: number): string[] {
  const script = `
    const { fixHeapGrowth } = await import('./app/heap-growth.ts');
    fixHeapGrowth(${percent});
    console.log('SET');
    const keep = [];
    for (let i = 0; i < 400_000; i++) keep.push({ i, s: 'x'.repeat(i % 64) });
    globalThis.gc();
  `;
  const out = execFileSync(process.execPath, ['--expose-gc', '--trace-gc-verbose', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  const after = out.slice(out.indexOf('SET\n'));
  return [...after.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d)\)$/gm)].map((m) => m[1]);
}

describe('heap growth', () => {
  it('is fixed at the configured share once set, whatever V8 measured', () => {
    const factors = factorsPrinted(50);
    expect(factors.length).toBeGreaterThan(0);
    expect(new Set(factors)).toEqual(new Set(['1.5']));
  });

  it('is left to V8 at 0', () => {
    // V8's own choice for a process allocating this fast is its largest factor.
    expect(factorsPrinted(0).some((factor) => factor !== '1.5')).toBe(true);
  });

  it('is 50% unless configured, and a bad value is refused by name', () => {
    expect(parseConfig({}).heapGrowthPercent).toBe(50);
    expect(parseConfig({ KEFU_HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
    expect(() => parseConfig({ KEFU_HEAP_GROWTH_PERCENT: 'lots' })).toThrow(/KEFU_HEAP_GROWTH_PERCENT: must be a whole number, e.g. 50/);
    expect(() => parseConfig({ KEFU_HEAP_GROWTH_PERCENT: '1000' })).toThrow(/KEFU_HEAP_GROWTH_PERCENT: must be at most 300/);
  });
});
