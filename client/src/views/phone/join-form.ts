// The join form: stakeholder group, in the room or remote, optional name and
// language. On success the participant token is kept in localStorage so a
// reload (or a dropped connection) does not make the person join twice.
import { h, replace, uid } from "../../dom";
import { LANGUAGE_NAMES, groupLabel, isLang, language, onLanguage, setLanguage, t } from "../../i18n";
import type { JoinAnswer, JoinInfo, JoinRequest, ParticipantChannel, WireError } from "../../protocol";
import type { Shell } from "../../shell";

export function tokenKey(joinCode: string): string {
  return `plenary:participant:${joinCode}`;
}

export function storeToken(joinCode: string, token: string): void {
  try {
    localStorage.setItem(tokenKey(joinCode), token);
  } catch {
    // without storage the person stays joined until they reload
  }
}

export async function fetchJoinInfo(joinCode: string): Promise<JoinInfo | WireError> {
  const response = await fetch(`/api/join/${encodeURIComponent(joinCode)}`);
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) return body as JoinInfo;
  return wireError(body, response.status === 404 ? t("join_bad_code") : response.statusText);
}

function wireError(body: unknown, fallback: string): WireError {
  const error = (body as { error?: WireError } | null)?.error;
  return error ?? { code: "internal", message: fallback };
}

interface FormValues {
  group: string;
  channel: ParticipantChannel;
  name: string;
  language: string;
}

/** Renders the form into `shell.main`; resolves once joined, with the token. */
export function joinForm(shell: Shell, joinCode: string, info: JoinInfo): Promise<string> {
  shell.setTitle(info.title);
  const values: FormValues = {
    group: "",
    channel: "in_room",
    name: "",
    language: info.languages.includes(language()) ? language() : (info.languages[0] ?? language()),
  };
  return new Promise((resolve) => {
    const render = (): void => {
      replace(
        shell.main,
        buildForm(info, values, async (request) => {
          const answer = await postJoin({ ...request, join_code: joinCode });
          if ("token" in answer) {
            storeToken(joinCode, answer.token);
            stop();
            resolve(answer.token);
          } else {
            shell.showError(answer);
          }
        }),
      );
    };
    const stop = onLanguage(render);
    render();
  });
}

async function postJoin(request: JoinRequest): Promise<JoinAnswer | WireError> {
  const response = await fetch("/api/join", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
  });
  const body: unknown = await response.json().catch(() => null);
  return response.ok ? (body as JoinAnswer) : wireError(body, response.statusText);
}

function buildForm(
  info: JoinInfo,
  values: FormValues,
  submit: (request: Omit<JoinRequest, "join_code">) => Promise<void>,
): HTMLFormElement {
  const groupId = uid("group");
  const group = h(
    "select",
    { id: groupId, required: true, name: "stakeholder_group" },
    h("option", { value: "" }, t("choose")),
    ...info.stakeholder_groups.map((g) =>
      h("option", { value: g, selected: g === values.group }, groupLabel(g)),
    ),
  );
  group.addEventListener("change", () => (values.group = group.value));

  const channelChoices = (["in_room", "remote"] as const).map((c) => {
    const input = h("input", { type: "radio", name: "channel", value: c, checked: values.channel === c });
    input.addEventListener("change", () => (values.channel = c));
    return h("label", { class: "choice" }, input, h("span", {}, t(`channel_${c}`)));
  });

  const nameId = uid("name");
  const name = h("input", {
    id: nameId,
    name: "name",
    maxlength: 80,
    autocomplete: "nickname",
    value: values.name,
  });
  name.addEventListener("input", () => (values.name = name.value));

  const langId = uid("lang");
  const languageSelect = h(
    "select",
    { id: langId, name: "language" },
    ...info.languages.map((l) =>
      h("option", { value: l, selected: l === values.language }, isLang(l) ? LANGUAGE_NAMES[l] : l),
    ),
  );
  languageSelect.addEventListener("change", () => {
    values.language = languageSelect.value;
    // The language one participates in is also the language of the page.
    if (isLang(languageSelect.value)) setLanguage(languageSelect.value);
  });

  const button = h("button", { type: "submit", class: "primary big" }, t("join_submit"));
  const form = h(
    "form",
    { class: "join card", novalidate: false },
    h("h2", {}, t("join_title")),
    h("div", { class: "field" }, h("label", { for: groupId }, t("join_group")), group),
    h("fieldset", { class: "field" }, h("legend", {}, t("join_channel")), ...channelChoices),
    h("div", { class: "field" }, h("label", { for: nameId }, t("join_name")), name),
    h("div", { class: "field" }, h("label", { for: langId }, t("language")), languageSelect),
    button,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    button.disabled = true;
    const request: Omit<JoinRequest, "join_code"> = {
      stakeholder_group: values.group,
      channel: values.channel,
    };
    if (values.name.trim()) request.name = values.name.trim();
    if (values.language) request.language = values.language;
    void submit(request).finally(() => (button.disabled = false));
  });
  return form;
}
