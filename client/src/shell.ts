// The page around every view: header with title and language switch, the
// "reconnecting…" banner, the error notice and the ARIA live regions.
import type { Connection, Status } from "./connection";
import { h, replace, setText } from "./dom";
import { LANGUAGES, LANGUAGE_NAMES, language, onLanguage, setLanguage, t, isLang } from "./i18n";
import type { WireError } from "./protocol";

export interface Shell {
  main: HTMLElement;
  header: HTMLElement;
  setTitle(text: string): void;
  /** Says `text` to screen readers; `urgent` interrupts (e.g. "you have the floor"). */
  announce(text: string, urgent?: boolean): void;
  showError(error: WireError): void;
  /** Shows a refusal that no retry will fix, with optional actions. */
  showFatal(message: string, ...actions: HTMLElement[]): void;
  clearFatal(): void;
  /** Shows "reconnecting…" while the connection is down; reports refusals. */
  watch(connection: Connection, onRefused: (error: WireError) => void): void;
}

export function createShell(viewClass: string, initialTitle: string): Shell {
  document.body.className = viewClass;
  const title = h("h1", { class: "title", dir: "auto" }, initialTitle);
  const languageSelect = buildLanguageSelect();
  const languageLabel = h("label", { class: "lang" }, h("span", {}, t("language")), languageSelect);
  const header = h("header", { class: "top" }, title, languageLabel);
  const banner = h("div", { class: "banner", role: "status", hidden: true });
  const errorText = h("p", {});
  const dismiss = h("button", { type: "button", class: "link" }, t("dismiss"));
  const errorBox = h("div", { class: "notice", role: "alert", hidden: true }, errorText, dismiss);
  const fatal = h("div", { class: "fatal", hidden: true });
  const main = h("main", { id: "main" });
  const polite = h("div", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true" });
  const assertive = h("div", { class: "sr-only", "aria-live": "assertive", "aria-atomic": "true" });
  dismiss.addEventListener("click", () => (errorBox.hidden = true));
  const app = document.getElementById("app") ?? document.body;
  replace(app, header, banner, errorBox, fatal, main, polite, assertive);

  onLanguage(() => {
    setText(languageLabel.firstElementChild as HTMLElement, t("language"));
    setText(dismiss, t("dismiss"));
  });

  return {
    main,
    header,
    setTitle: (text) => setText(title, text),
    announce(text, urgent = false) {
      const region = urgent ? assertive : polite;
      // Clearing first makes a repeated message be spoken again.
      region.textContent = "";
      window.setTimeout(() => (region.textContent = text), 50);
    },
    showError(error) {
      setText(errorText, t("error", { message: error.message }));
      errorBox.hidden = false;
    },
    showFatal(message, ...actions) {
      replace(fatal, h("p", {}, message), ...actions);
      fatal.hidden = false;
      main.hidden = true;
    },
    clearFatal() {
      fatal.hidden = true;
      main.hidden = false;
    },
    watch(connection, onRefused) {
      let last: Status = "connecting";
      const render = (): void => {
        banner.hidden = last === "connected" || last === "refused";
        setText(banner, last === "connecting" ? t("connecting") : t("reconnecting"));
      };
      connection.onStatus((status, error) => {
        last = status;
        render();
        if (status === "refused" && error) onRefused(error);
        if (status === "connected") {
          fatal.hidden = true;
          main.hidden = false;
        }
      });
      onLanguage(render);
    },
  };
}

function buildLanguageSelect(): HTMLSelectElement {
  const select = h("select", { id: "ui-language" });
  for (const lang of LANGUAGES) {
    select.append(h("option", { value: lang, lang }, LANGUAGE_NAMES[lang]));
  }
  select.value = language();
  select.addEventListener("change", () => {
    if (isLang(select.value)) setLanguage(select.value);
  });
  return select;
}
