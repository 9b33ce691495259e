import type { SettingsStringKey } from './settings-strings.ts';

/** One input of a settings form: which property of the setting it edits and how. */
export type SettingField =
  | { name: string; label: SettingsStringKey; kind: 'bool' | 'text' | 'textarea' | 'list' }
  | { name: string; label: SettingsStringKey; kind: 'number'; min: number; max: number }
  | { name: string; label: SettingsStringKey; kind: 'choice' | 'multi'; options: { value: string; label: SettingsStringKey }[] };

/** A settings key (core/settings/settings-schema.ts) edited with plain fields. */
export interface SettingSection {
  key: 'humanService' | 'offHours' | 'queue' | 'satisfaction' | 'offlineMessages' | 'session';
  title: SettingsStringKey;
  fields: SettingField[];
}

export const humanServiceSection: SettingSection = {
  key: 'humanService',
  title: 'humanService.title',
  fields: [
    { name: 'enabled', label: 'humanService.enabled', kind: 'bool' },
    { name: 'disabledReply', label: 'humanService.disabledReply', kind: 'textarea' },
  ],
};

export const offHoursSection: SettingSection = {
  key: 'offHours',
  title: 'offHours.title',
  fields: [{ name: 'reply', label: 'offHours.reply', kind: 'textarea' }],
};

export const queueSection: SettingSection = {
  key: 'queue',
  title: 'queue.title',
  fields: [
    { name: 'prompt', label: 'queue.prompt', kind: 'text' },
    { name: 'updateIntervalMinutes', label: 'queue.updateIntervalMinutes', kind: 'number', min: 1, max: 60 },
    { name: 'maxWaitMinutes', label: 'queue.maxWaitMinutes', kind: 'number', min: 0, max: 1440 },
    { name: 'maxWaitReply', label: 'queue.maxWaitReply', kind: 'text' },
    { name: 'exitKeywords', label: 'queue.exitKeywords', kind: 'list' },
    { name: 'exitReply', label: 'queue.exitReply', kind: 'text' },
  ],
};

export const satisfactionSection: SettingSection = {
  key: 'satisfaction',
  title: 'satisfaction.title',
  fields: [
    { name: 'enabled', label: 'satisfaction.enabled', kind: 'bool' },
    { name: 'prompt', label: 'satisfaction.prompt', kind: 'text' },
    { name: 'labels', label: 'satisfaction.labels', kind: 'list' },
    { name: 'tags', label: 'satisfaction.tags', kind: 'list' },
    { name: 'allowComment', label: 'satisfaction.allowComment', kind: 'bool' },
    { name: 'thanks', label: 'satisfaction.thanks', kind: 'text' },
    { name: 'windowMinutes', label: 'satisfaction.windowMinutes', kind: 'number', min: 1, max: 2880 },
  ],
};

export const offlineMessagesSection: SettingSection = {
  key: 'offlineMessages',
  title: 'offline.title',
  fields: [
    { name: 'enabled', label: 'offline.enabled', kind: 'bool' },
    { name: 'prompt', label: 'offline.prompt', kind: 'textarea' },
    {
      name: 'requiredFields',
      label: 'offline.requiredFields',
      kind: 'multi',
      options: [
        { value: 'phone', label: 'offline.field.phone' },
        { value: 'email', label: 'offline.field.email' },
        { value: 'name', label: 'offline.field.name' },
      ],
    },
    { name: 'thanks', label: 'offline.thanks', kind: 'text' },
  ],
};

export const sessionSection: SettingSection = {
  key: 'session',
  title: 'session.title',
  fields: [
    { name: 'autoCloseMinutes', label: 'session.autoCloseMinutes', kind: 'number', min: 1, max: 1440 },
    { name: 'closePrompt', label: 'session.closePrompt', kind: 'textarea' },
    { name: 'noReplyEnabled', label: 'session.noReplyEnabled', kind: 'bool' },
    { name: 'noReplyMinutes', label: 'session.noReplyMinutes', kind: 'number', min: 1, max: 120 },
    {
      name: 'noReplyAction',
      label: 'session.noReplyAction',
      kind: 'choice',
      options: [
        { value: 'requeue', label: 'session.noReplyAction.requeue' },
        { value: 'alert', label: 'session.noReplyAction.alert' },
      ],
    },
    { name: 'noReplyHoldingMessage', label: 'session.noReplyHoldingMessage', kind: 'text' },
    { name: 'transferNotice', label: 'session.transferNotice', kind: 'text' },
  ],
};

/** Splits a typed list on commas (ASCII or 全角), 顿号 and new lines, dropping blanks. */
export function splitList(text: string): string[] {
  return text
    .split(/[,，、\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Shows a list for editing, the inverse of `splitList` for items without separators. */
export function joinList(items: unknown): string {
  return Array.isArray(items) ? items.join('，') : '';
}

/**
 * Reads a number input. Blank or non-numeric text stays as typed so the server's 400 names the field,
 * instead of being turned into 0 or NaN (which JSON would send as null).
 */
export function readNumber(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}
