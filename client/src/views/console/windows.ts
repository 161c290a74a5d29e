// Rating windows for the chair: ratings taken before the live hour (the round
// before deliberation) and after it (for those who could not attend), on one
// proposition or the whole agenda. Times are typed and shown in the session's
// time zone; the server opens and closes each window on time by itself.
import { h, replace, setText, uid } from "../../dom";
import { t } from "../../i18n";
import type { StringKey } from "../../i18n/en";
import { moment } from "../../moments";
import type { RatingWindow, Snapshot } from "../../protocol";
import type { ConsoleContext } from "./context";
import type { Panel } from "./propositions";

export function windowsPanel(ctx: ConsoleContext): Panel {
  const ids = { scope: uid("win-scope"), opens: uid("win-opens"), closes: uid("win-closes") };
  const hint = h("p", { class: "muted" });
  const scope = h("select", { id: ids.scope });
  const opens = h("input", { id: ids.opens, type: "datetime-local", required: true });
  const closes = h("input", { id: ids.closes, type: "datetime-local", required: true });
  const form = h(
    "form",
    { class: "window-form" },
    h("label", { for: ids.scope }, t("window_scope")),
    scope,
    h("label", { for: ids.opens }, t("window_opens")),
    opens,
    h("label", { for: ids.closes }, t("window_closes")),
    closes,
    h("button", { type: "submit" }, t("window_set")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const payload = {
      opens_at: opens.value,
      closes_at: closes.value,
      ...(scope.value ? { proposition_id: scope.value } : {}),
    };
    if (await ctx.run("window:set", payload)) form.reset();
  });
  const list = h("ul", { class: "window-list" });
  const el = h(
    "section",
    { class: "panel windows", "aria-labelledby": "h-windows" },
    h("h2", { id: "h-windows" }, t("windows")),
    hint,
    form,
    list,
  );
  let rendered = "";

  return {
    el,
    update(s: Snapshot) {
      const zone = s.session.settings.time_zone ?? "UTC";
      const key = JSON.stringify([zone, s.windows, s.propositions.map((p) => [p.id, p.text])]);
      if (key === rendered) return;
      rendered = key;
      setText(hint, t("windows_hint", { zone }));
      const chosen = scope.value;
      replace(
        scope,
        h("option", { value: "" }, t("window_whole_agenda")),
        ...s.propositions.map((p, i) => h("option", { value: p.id }, `${i + 1}. ${short(p.text)}`)),
      );
      scope.value = s.propositions.some((p) => p.id === chosen) ? chosen : "";
      const texts = new Map(s.propositions.map((p, i) => [p.id, `${i + 1}. ${short(p.text)}`]));
      const windows = s.windows ?? [];
      replace(
        list,
        ...(windows.length === 0
          ? [h("li", { class: "muted" }, t("window_none"))]
          : windows.map((w) => windowItem(ctx, w, zone, texts))),
      );
    },
  };
}

function windowItem(
  ctx: ConsoleContext,
  w: RatingWindow,
  zone: string,
  texts: Map<string, string>,
): HTMLElement {
  const scope = w.proposition_id === null ? t("window_whole_agenda") : (texts.get(w.proposition_id) ?? "?");
  const item = h(
    "li",
    { "data-window": w.window_id, "data-status": w.status },
    h(
      "span",
      { dir: "auto" },
      t("window_item", { scope, opens: moment(w.opens_at, zone), closes: moment(w.closes_at, zone) }),
    ),
    " ",
    h("span", { class: `badge window-${w.status}` }, t(`window_status_${w.status}` as StringKey)),
  );
  if (w.status === "scheduled" || w.status === "open") {
    const cancel = h("button", { type: "button", class: "small" }, t("window_cancel"));
    cancel.setAttribute("aria-label", `${t("window_cancel")}: ${scope}`);
    cancel.addEventListener("click", () => void ctx.run("window:cancel", { window_id: w.window_id }));
    item.append(" ", cancel);
  }
  return item;
}

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
