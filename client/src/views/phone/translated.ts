// The proposition's text on a phone: in the participant's language when the
// chair gave a translation, with a button to see the original wording.
import { h, setText } from "../../dom";
import { language, t } from "../../i18n";
import type { Proposition } from "../../protocol";
import { showText, textIn } from "../../wording";

export interface TranslatedText {
  toggle: HTMLButtonElement;
  update(p: Proposition): void;
}

export function translatedText(text: HTMLElement): TranslatedText {
  let original = false;
  let current: Proposition | null = null;
  const toggle = h("button", { type: "button", class: "link toggle-original", "aria-pressed": "false" });
  const render = (): void => {
    if (!current) return;
    const translated = textIn(current, language());
    toggle.hidden = translated.lang === null;
    showText(text, original || translated.lang === null ? { text: current.text, lang: null } : translated);
    setText(toggle, original ? t("show_translation") : t("show_original"));
    toggle.setAttribute("aria-pressed", String(original));
  };
  toggle.addEventListener("click", () => {
    original = !original;
    render();
  });
  return {
    toggle,
    update(p) {
      current = p;
      render();
    },
  };
}
