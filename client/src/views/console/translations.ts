// Translations in the console: type a proposition's text in each of the
// session's languages, or import them all from a CSV or JSON file (one
// column per language; the server names any bad row and why).
import { h, setText, syncList, uid } from "../../dom";
import { LANGUAGE_NAMES, isLang, t } from "../../i18n";
import { LIMITS } from "../../generated/vocabulary";
import type { Proposition, WireError } from "../../protocol";
import type { ConsoleContext } from "./context";

export interface TranslationsEditor {
  el: HTMLElement;
  update(p: Proposition): void;
}

const languageName = (l: string): string => (isLang(l) ? LANGUAGE_NAMES[l] : l);

export function translationsEditor(ctx: ConsoleContext): TranslationsEditor {
  let current: Proposition | null = null;
  const fields = h("div", { class: "translation-fields" });
  const el = h("details", { class: "translations" }, h("summary", {}, t("translations")), fields);
  const widgets = new Map<string, TranslationField>();
  return {
    el,
    update(p) {
      current = p;
      const languages = ctx.connection.snapshot?.session.languages ?? [];
      el.hidden = p.status === "withdrawn" || languages.length === 0;
      syncList(
        fields,
        languages,
        (l) => l,
        (l) => translationField(l, () => current, ctx),
        (w) => w.update(),
        widgets,
      );
    },
  };
}

interface TranslationField {
  el: HTMLElement;
  update(): void;
}

function translationField(
  language: string,
  proposition: () => Proposition | null,
  { run }: ConsoleContext,
): TranslationField {
  const id = uid(`translation-${language}`);
  const text = h("textarea", { id, lang: language, dir: "auto", rows: 2, maxlength: LIMITS.proposition });
  const save = h("button", { type: "submit", class: "small" }, t("save"));
  const form = h(
    "form",
    { class: "translation", "data-language": language },
    h("label", { for: id }, t("translation_in", { language: languageName(language) })),
    text,
    save,
  );
  // What the chair is typing is theirs until saved: updates leave it alone.
  let typed = false;
  text.addEventListener("input", () => (typed = true));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const p = proposition();
    if (!p) return;
    const ack = await run("proposition:translate", {
      proposition_id: p.id,
      language,
      text: text.value.trim() || null,
    });
    if (ack) typed = false;
  });
  return {
    el: form,
    update() {
      const p = proposition();
      if (!typed && p) text.value = p.translations[language] ?? "";
    },
  };
}

/** The import of a translations file, for the propositions panel. */
export function translationsImport(ctx: ConsoleContext): HTMLElement {
  const id = uid("translations-file");
  const file = h("input", { id, type: "file", accept: ".csv,.json,text/csv,application/json" });
  const submit = h("button", { type: "submit" }, t("import_button"));
  const done = h("span", { class: "muted", role: "status" });
  const form = h(
    "form",
    { class: "translations-import row" },
    h("label", { for: id }, t("import_translations")),
    file,
    submit,
    done,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    const session = ctx.connection.snapshot?.session.session_id;
    if (!chosen || !session) return;
    submit.disabled = true;
    setText(done, "");
    const answer = await importFile(session, ctx.token(), chosen);
    submit.disabled = false;
    if ("code" in answer) ctx.shell.showError(answer);
    else setText(done, t("translations_imported_n", { n: answer.translations }));
  });
  return form;
}

async function importFile(
  session: string,
  token: string,
  file: File,
): Promise<{ translations: number } | WireError> {
  const format = file.name.toLowerCase().endsWith(".json") ? "json" : "csv";
  try {
    const answer = await fetch(`/api/sessions/${encodeURIComponent(session)}/translations`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ format, content: await file.text() }),
    });
    const body = (await answer.json()) as { translations: number } | { error: WireError };
    return "error" in body ? body.error : body;
  } catch {
    return { code: "internal", message: t("no_answer") };
  }
}
