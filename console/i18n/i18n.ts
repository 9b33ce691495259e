/**
 * The localization layer of both browser clients: `t('key', params)` looks a key up in the current
 * locale's table (zh-CN by default) and fills `{name}` placeholders. Components re-render on a
 * locale switch through `onLocaleChange` (KfElement subscribes for them).
 */
import { en } from './en.ts';
import { zhCN, type MessageKey } from './zh-CN.ts';

export type { MessageKey } from './zh-CN.ts';
export type Locale = 'zh-CN' | 'en';
export type MessageParams = Record<string, string | number>;

export const locales: readonly Locale[] = ['zh-CN', 'en'];
const tables: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

let current: Locale = 'zh-CN';
const listeners = new Set<(locale: Locale) => void>();

/** Looks up `key` in `locale`; a missing translation falls back to zh-CN, a missing placeholder stays visible. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = tables[locale][key] ?? zhCN[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Translates into the current locale. */
export function t(key: MessageKey, params?: MessageParams): string {
  return translate(current, key, params);
}

/** Maps a stored or browser language tag to a supported locale: English for `en*`, zh-CN otherwise. */
export function pickLocale(tag: string | null | undefined): Locale {
  return tag && /^en\b/i.test(tag) ? 'en' : 'zh-CN';
}

export function getLocale(): Locale {
  return current;
}

export function setLocale(locale: Locale): void {
  if (locale === current) return;
  current = locale;
  for (const listener of listeners) listener(locale);
}

/** Subscribes to locale switches; returns the unsubscribe function. */
export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
