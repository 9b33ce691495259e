import { describe, expect, it } from 'vitest';
import { formatCsvRow, parseCsv } from './csv.ts';

describe('formatCsvRow()', () => {
  it('quotes fields with commas, quotes and line breaks', () => {
    expect(formatCsvRow(['a,b', 'say "hi"', 'two\nlines', 3, null])).toBe('"a,b","say ""hi""","two\nlines",3,\r\n');
  });

  it('defuses cells that a spreadsheet would run as formulas', () => {
    expect(formatCsvRow(['=HYPERLINK("x")', '@sum', 'ok'])).toBe(`"'=HYPERLINK(""x"")",'@sum,ok\r\n`);
  });

  it('leaves negative numbers alone', () => {
    expect(formatCsvRow([-1])).toBe('-1\r\n');
  });
});

describe('parseCsv()', () => {
  it('reads back what formatCsvRow writes', () => {
    const rows = [
      ['关键词', '内容'],
      ['a,b', 'say "hi"\n第二行'],
    ];
    expect(parseCsv(rows.map(formatCsvRow).join(''))).toEqual(rows);
  });

  it('ignores a BOM, blank lines and a missing final newline', () => {
    expect(parseCsv('\uFEFFa,b\n\nc,d')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });
});
