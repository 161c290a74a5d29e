// A new session: title, languages, stakeholder groups (the defaults or the
// session's own), and every session setting as the server declares it.
import { h, replace, setText, uid } from "../../dom";
import { LANGUAGE_NAMES, groupLabel, isLang, t } from "../../i18n";
import { ApiFailure, call, type SettingField, type SettingsInfo } from "./api";

interface Created {
  session_id: string;
  urls: { console: string; display: string; join: string };
}

export async function createForm(
  token: string,
  created: () => Promise<void>,
  fail: (error: unknown) => void,
): Promise<HTMLElement> {
  const info = await call<SettingsInfo>("/api/settings", null);
  const titleId = uid("new-title");
  const title = h("input", { id: titleId, name: "title", required: true, maxlength: info.max_title });
  const languages = checkboxes(info.languages, (lang) => (isLang(lang) ? LANGUAGE_NAMES[lang] : lang), "lang");
  const groups = groupChooser(info);
  const settings = settingsFields(info.settings, token);
  const problem = h("p", { class: "form-error", role: "alert" });
  const result = h("div", { class: "created", role: "status" });
  const submit = h("button", { type: "submit", class: "primary" }, t("admin_create"));
  const form = h(
    "form",
    { class: "panel create-form", "aria-labelledby": "h-create" },
    h("h2", { id: "h-create" }, t("admin_new_session")),
    h("div", { class: "field" }, h("label", { for: titleId }, t("admin_session_title")), title),
    h("fieldset", {}, h("legend", {}, t("admin_languages")), languages.el),
    groups.el,
    settings.el,
    problem,
    submit,
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setText(problem, "");
    const chosen = languages.values();
    if (chosen.length === 0) return setText(problem, t("admin_need_language"));
    const body = {
      title: title.value.trim(),
      languages: chosen,
      ...groups.value(),
      settings: settings.values(),
    };
    submit.disabled = true;
    try {
      const answer = await call<Created>("/api/sessions", token, body);
      form.reset();
      languages.reset();
      showCreated(result, answer);
      await created();
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 400) {
        setText(problem, error.error.message);
        settings.mark(error.error.message);
      } else fail(error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function showCreated(result: HTMLElement, answer: Created): void {
  const link = (href: string, label: string): HTMLElement =>
    h("a", { href, target: "_blank", rel: "noopener" }, label);
  replace(
    result,
    h("p", {}, t("admin_created", { id: answer.session_id })),
    h("p", { class: "links" }, link(answer.urls.console, t("admin_open_console")), " ", link(answer.urls.display, t("admin_open_display"))),
  );
}

function checkboxes(
  values: string[],
  label: (value: string) => string,
  prefix: string,
): { el: HTMLElement; values(): string[]; reset(): void } {
  const boxes = values.map((value) => {
    const id = uid(prefix);
    const input = h("input", { id, type: "checkbox", value, checked: true });
    return { input, el: h("div", { class: "check" }, input, h("label", { for: id, lang: value }, label(value))) };
  });
  return {
    el: h("div", { class: "checks" }, ...boxes.map((b) => b.el)),
    values: () => boxes.filter((b) => b.input.checked).map((b) => b.input.value),
    reset: () => boxes.forEach((b) => (b.input.checked = true)),
  };
}

function groupChooser(info: SettingsInfo): { el: HTMLElement; value(): { stakeholder_groups?: string[] } } {
  const name = uid("groups");
  const defaultsId = uid("groups-default");
  const ownId = uid("groups-own");
  const listId = uid("groups-list");
  const defaults = h("input", { id: defaultsId, type: "radio", name, value: "default", checked: true });
  const own = h("input", { id: ownId, type: "radio", name, value: "own" });
  const list = h("textarea", { id: listId, rows: 5, disabled: true, name: "stakeholder_groups" });
  const toggle = (): void => {
    list.disabled = !own.checked;
    list.required = own.checked;
  };
  defaults.addEventListener("change", toggle);
  own.addEventListener("change", toggle);
  const el = h(
    "fieldset",
    {},
    h("legend", {}, t("admin_groups")),
    h(
      "div",
      { class: "check" },
      defaults,
      h("label", { for: defaultsId }, t("admin_groups_default", { groups: info.stakeholder_groups.map(groupLabel).join(", ") })),
    ),
    h("div", { class: "check" }, own, h("label", { for: ownId }, t("admin_groups_own"))),
    h("div", { class: "field" }, h("label", { for: listId }, t("admin_groups_own_help", { n: info.max_groups })), list),
  );
  return {
    el,
    value() {
      if (!own.checked) return {};
      const groups = list.value
        .split(/\r?\n/)
        .map((g) => g.trim())
        .filter(Boolean);
      return { stakeholder_groups: groups };
    },
  };
}

interface SettingsFields {
  el: HTMLElement;
  values(): Record<string, unknown>;
  /** Marks the field a server message names ("settings.speaking_seconds must be …"). */
  mark(message: string): void;
}

function settingsFields(declared: SettingField[], token: string): SettingsFields {
  const readers: [string, () => unknown][] = [];
  const inputs = new Map<string, { input: HTMLInputElement | HTMLSelectElement; note: HTMLElement }>();
  const build = (fields: SettingField[], path: string): HTMLElement[] =>
    fields.map((field) => {
      const name = path ? `${path}.${field.name}` : field.name;
      if (field.kind === "group" && field.fields) {
        return h("fieldset", { class: "nested" }, h("legend", {}, h("code", {}, field.name)), h("p", { class: "muted" }, field.help), ...build(field.fields, name));
      }
      const id = uid("setting");
      const helpId = uid("setting-help");
      const noteId = uid("setting-note");
      const input = settingInput(field, id);
      input.setAttribute("aria-describedby", `${helpId} ${noteId}`);
      input.dataset.setting = name;
      const note = h("p", { id: noteId, class: "form-error" });
      inputs.set(name, { input, note });
      // Only what differs from the default is sent: the server fills in the rest.
      readers.push([name, () => changed(field, readValue(field, input))]);
      input.addEventListener("change", () => void check());
      return h(
        "div",
        { class: "field setting" },
        h("label", { for: id }, h("code", {}, field.name)),
        input,
        h("p", { id: helpId, class: "muted help" }, field.help),
        note,
      );
    });
  const values = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, read] of readers) {
      const value = read();
      if (value === undefined) continue;
      const parts = name.split(".");
      let target = out;
      for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
      target[parts[parts.length - 1] ?? name] = value;
    }
    return out;
  };
  const mark = (message: string): void => {
    for (const [name, { input, note }] of inputs) {
      const named = message.includes(`settings.${name} `) || message.includes(`settings.${name}:`);
      input.setAttribute("aria-invalid", named ? "true" : "false");
      setText(note, named ? message : "");
    }
  };
  // Each change is checked by the server, which owns the rules: the field it names is marked.
  const check = async (): Promise<void> => {
    try {
      await call("/api/settings/check", token, { settings: values() });
      mark("");
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 400) mark(error.error.message);
    }
  };
  const el = h(
    "details",
    { class: "settings" },
    h("summary", {}, t("admin_settings")),
    ...build(declared, ""),
  );
  return { el, values, mark };
}

function settingInput(field: SettingField, id: string): HTMLInputElement | HTMLSelectElement {
  if (field.kind === "choice") {
    const select = h("select", { id });
    for (const choice of field.choices ?? []) select.append(h("option", { value: choice }, choice));
    select.value = String(field.default);
    return select;
  }
  if (field.kind === "boolean") return h("input", { id, type: "checkbox", checked: field.default === true });
  if (field.kind === "integer" || field.kind === "number") {
    return h("input", {
      id,
      type: "number",
      value: String(field.default),
      step: field.kind === "integer" ? 1 : "any",
      min: field.min ?? null,
      max: field.max ?? null,
    });
  }
  if (field.kind === "json") return h("input", { id, value: JSON.stringify(field.default), dir: "ltr" });
  return h("input", { id, value: field.default === null ? "" : String(field.default) });
}

function changed(field: SettingField, value: unknown): unknown {
  return JSON.stringify(value) === JSON.stringify(field.default) ? undefined : value;
}

function readValue(field: SettingField, input: HTMLInputElement | HTMLSelectElement): unknown {
  if (field.kind === "json") {
    try {
      return JSON.parse(input.value) as unknown;
    } catch {
      return input.value; // not JSON: sent as typed, and the server names the field
    }
  }
  if (field.kind === "boolean" && input instanceof HTMLInputElement) return input.checked;
  if (field.kind === "integer" || field.kind === "number") {
    // An empty or unreadable number is sent as typed: the server names the field.
    return input.value.trim() === "" ? undefined : Number.isNaN(Number(input.value)) ? input.value : Number(input.value);
  }
  return input.value;
}
