// A proposition's text in one language: its translation of the current
// revision when there is one, else the original wording. Ratings belong to
// the proposition whatever language it was read in.
import "./styles/wording.css";
import type { Proposition } from "./protocol";

export interface Shown {
  text: string;
  /** The language of the translation shown; null when the original is shown. */
  lang: string | null;
}

export function textIn(p: Proposition, lang: string | null): Shown {
  const translated = lang ? p.translations[lang] : undefined;
  return translated ? { text: translated, lang } : { text: p.text, lang: null };
}

/** Shows `shown` in `el`, with its language marked for screen readers and fonts. */
export function showText(el: HTMLElement, shown: Shown): void {
  if (el.textContent !== shown.text) el.textContent = shown.text;
  if (shown.lang) el.setAttribute("lang", shown.lang);
  else el.removeAttribute("lang");
}

/** The projector's languages: the session's main one, and one more when the
 *  display link asks for it (`#token=…&also=fr`). */
export function projectorLanguages(languages: readonly string[]): [string | null, string | null] {
  const also = new URLSearchParams(location.hash.slice(1)).get("also");
  const main = languages[0] ?? null;
  return [main, also && also !== main && languages.includes(also) ? also : null];
}
