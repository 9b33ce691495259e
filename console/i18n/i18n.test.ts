import { describe, it, expect } from 'vitest';
import { en } from './en.ts';
import { getLocale, onLocaleChange, pickLocale, setLocale, t, translate } from './i18n.ts';
import { zhCN } from './zh-CN.ts';

describe('translate()', () => {
  it('returns the zh-CN string by default and the English one for en', () => {
    expect(translate('zh-CN', 'view.queue')).toBe('排队客户');
    expect(translate('en', 'view.queue')).toBe('Queue');
  });

  it('fills every named placeholder and leaves unknown ones visible', () => {
    expect(translate('zh-CN', 'header.load', { active: 3, limit: 5 })).toBe('接待 3/5');
    expect(translate('en', 'header.load', { active: 1 })).toBe('Serving 1/{limit}');
  });
});

describe('the English table', () => {
  it('covers exactly the zh-CN keys with non-empty strings', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    expect(Object.values(en).filter((s) => s.trim() === '')).toEqual([]);
  });

  it('keeps the same placeholders as zh-CN for every key', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const mismatched = (Object.keys(zhCN) as (keyof typeof zhCN)[]).filter(
      (key) => names(zhCN[key]).join() !== names(en[key]).join(),
    );
    expect(mismatched).toEqual([]);
  });
});

describe('setLocale()', () => {
  it('switches t() and notifies subscribers until they unsubscribe', () => {
    const seen: string[] = [];
    const off = onLocaleChange((locale) => seen.push(locale));
    setLocale('en');
    expect(t('conv.pick')).toBe('Pick up');
    off();
    setLocale('zh-CN');
    expect(t('conv.pick')).toBe('接入');
    expect(getLocale()).toBe('zh-CN');
    expect(seen).toEqual(['en']);
  });
});

describe('pickLocale()', () => {
  it('chooses English only for en tags and zh-CN for everything else', () => {
    expect(pickLocale('en-US')).toBe('en');
    expect(pickLocale('en')).toBe('en');
    expect(pickLocale('zh-TW')).toBe('zh-CN');
    expect(pickLocale('fr')).toBe('zh-CN');
    expect(pickLocale(null)).toBe('zh-CN');
  });
});
