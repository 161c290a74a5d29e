// The page around every view: header with title and language switch, the
// "reconnecting…" / "waiting for the server" banner, the error notice and the ARIA live regions.
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
  /** Shows "reconnecting…" while the connection is down, and that a command is
   * waiting for the server while one is (it is sent again until answered); reports refusals. */
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
      // Not the server's words for `unavailable`: a calm note that nothing was lost.
      const text = error.code === "unavailable" ? t("unavailable") : t("error", { message: error.message });
      setText(errorText, text);
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
      let waiting = false;
      const render = (): void => {
        // A command waiting for the server says so above all: it will still be sent.
        banner.hidden = !waiting && (last === "connected" || last === "refused");
        banner.classList.toggle("waiting", waiting);
        if (waiting) setText(banner, t("waiting_for_server"));
        else setText(banner, last === "connecting" ? t("connecting") : t("reconnecting"));
      };
      connection.onWaiting((now) => {
        waiting = now;
        render();
      });
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
