import { describe, expect, it } from 'vitest';
import { joinList, readNumber, splitList } from './settings-fields.ts';

describe('splitList', () => {
  it('splits on ASCII and full-width commas, 顿号 and new lines and drops blanks', () => {
    expect(splitList('人工, 转人工，客服、经理\n\n 投诉 ')).toEqual(['人工', '转人工', '客服', '经理', '投诉']);
  });

  it('gives an empty list for blank text', () => {
    expect(splitList('  \n ')).toEqual([]);
  });

  it('round-trips with joinList', () => {
    expect(splitList(joinList(['退出排队', '取消排队']))).toEqual(['退出排队', '取消排队']);
    expect(joinList(undefined)).toBe('');
  });
});

describe('readNumber', () => {
  it('reads digits as a number', () => {
    expect(readNumber(' 15 ')).toBe(15);
  });

  it('keeps blank or non-numeric text so the server can name the bad field', () => {
    expect(readNumber('')).toBe('');
    expect(readNumber('ten')).toBe('ten');
  });
});
