// UI language: the six UN languages, switchable at any time, defaulting to the
// browser's language. Views re-render their text on change (see onLanguage).
import type { Channel, Intent, MarkStatus, ScaleKey } from "../protocol";
import { ar } from "./ar";
import { en, type StringKey, type Strings } from "./en";
import { es } from "./es";
import { fr } from "./fr";
import { ru } from "./ru";
import { zh } from "./zh";

export const LANGUAGES = ["ar", "zh", "en", "fr", "ru", "es"] as const;
export type Lang = (typeof LANGUAGES)[number];

export const LANGUAGE_NAMES: Record<Lang, string> = {
  ar: "العربية",
  zh: "中文",
  en: "English",
  fr: "Français",
  ru: "Русский",
  es: "Español",
};

const DICTIONARIES: Record<Lang, Strings> = { ar, zh, en, fr, ru, es };
const STORAGE_KEY = "plenary:lang";

let current: Lang = initialLanguage();
const listeners = new Set<() => void>();

export function isLang(value: string): value is Lang {
  return (LANGUAGES as readonly string[]).includes(value);
}

function initialLanguage(): Lang {
  const stored = safeStorageGet(STORAGE_KEY);
  if (stored && isLang(stored)) return stored;
  const preferred = [...(navigator.languages ?? []), navigator.language];
  for (const tag of preferred) {
    const base = tag?.toLowerCase().split("-")[0] ?? "";
    if (isLang(base)) return base;
  }
  return "en";
}

function safeStorageGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage can be disabled (private mode); the default still works
  }
}

export function language(): Lang {
  return current;
}

export function setLanguage(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not persisted; the choice still applies to this page
  }
  applyDocumentLanguage();
  for (const listener of listeners) listener();
}

/** Whether the person picked a language on this device (kept across visits). */
export function hasChosenLanguage(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) !== null;
  } catch {
    return false;
  }
}

export function applyDocumentLanguage(): void {
  document.documentElement.lang = current;
  document.documentElement.dir = current === "ar" ? "rtl" : "ltr";
}

/** Calls `listener` after every language change; returns an unsubscribe. */
export function onLanguage(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: StringKey, vars: Record<string, string | number> = {}): string {
  const template = DICTIONARIES[current][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function scaleLabel(value: ScaleKey): string {
  return t(`scale_${value}`);
}

export function channelLabel(channel: Channel): string {
  return t(`channel_${channel}`);
}

export function intentLabel(intent: Intent): string {
  return t(`intent_${intent}`);
}

export function markLabel(status: MarkStatus): string {
  return t(`mark_${status}`);
}

/** Default IGF groups are translated; a session's own groups show as given. */
export function groupLabel(group: string): string {
  const key = `group_${group}`;
  return key in en ? t(key as StringKey) : group;
}

export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? "–" : `${Math.round(share * 100)}%`;
}
