import { describe, expect, it } from 'vitest';
import { formatQuickRepliesCsv, parseQuickReplyImport } from './quick-reply-io.ts';

describe('parseQuickReplyImport()', () => {
  it('reads back a CSV export, including commas and line breaks in the content', () => {
    const entries = [
      { category: '售后', keyword: '退货', content: '您好，退货请在订单页申请,\n7天内有效' },
      { category: null, keyword: '问候', content: '您好，有什么可以帮您？' },
    ];
    expect(parseQuickReplyImport(formatQuickRepliesCsv(entries), 'csv')).toEqual(entries);
  });

  it('accepts English headers in any order', () => {
    expect(parseQuickReplyImport('content,keyword\nhello there,hi\n', 'csv')).toEqual([{ category: null, keyword: 'hi', content: 'hello there' }]);
  });

  it('reads a JSON array', () => {
    expect(parseQuickReplyImport('[{"category":"A","keyword":"k","content":"c"}]', 'json')).toEqual([{ category: 'A', keyword: 'k', content: 'c' }]);
  });

  it('refuses the whole file and names the entry when one entry is invalid', () => {
    expect(() => parseQuickReplyImport('[{"keyword":"k","content":"c"},{"keyword":"","content":"c"}]', 'json')).toThrow(/Entry 2/);
  });

  it('refuses a CSV without the keyword and content columns', () => {
    expect(() => parseQuickReplyImport('a,b\n1,2\n', 'csv')).toThrow(/header/);
  });
});
