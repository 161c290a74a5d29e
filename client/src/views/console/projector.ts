// What the projector shows, chosen by the chair: the open proposition (the
// default), the agenda, or one proposition kept on screen (`display:show`).
import { h, replace, setText, uid } from "../../dom";
import { t } from "../../i18n";
import type { DisplayChoice, Snapshot } from "../../protocol";
import type { ConsoleContext } from "./context";
import type { Panel } from "./propositions";

// Long propositions are cut in the menu only; the projector shows them whole.
const MENU_TEXT = 60;

function clip(text: string): string {
  return text.length > MENU_TEXT ? `${text.slice(0, MENU_TEXT)}…` : text;
}

function optionValue(choice: DisplayChoice): string {
  return choice.mode === "proposition" ? `p:${choice.proposition_id ?? ""}` : choice.mode;
}

export function projectorPanel(ctx: ConsoleContext): Panel {
  const selectId = uid("projector");
  const select = h("select", { id: selectId, class: "projector-choice" });
  const status = h("p", { class: "muted", role: "status" });
  select.addEventListener("change", () => {
    const value = select.value;
    const payload: DisplayChoice = value.startsWith("p:")
      ? { mode: "proposition", proposition_id: value.slice(2) }
      : { mode: value === "agenda" ? "agenda" : "auto", proposition_id: null };
    void ctx.run(
      "display:show",
      payload.mode === "proposition" ? payload : { mode: payload.mode },
    );
  });
  const el = h(
    "section",
    { class: "panel projector", "aria-labelledby": "h-projector" },
    h("h2", { id: "h-projector" }, t("projector")),
    h("div", { class: "field" }, h("label", { for: selectId }, t("projector_shows")), select),
    status,
  );
  let options = "";
  return {
    el,
    update(s: Snapshot) {
      const key = s.propositions.map((p) => `${p.id}\u0000${p.text}`).join("\n");
      if (key !== options) {
        options = key;
        replace(
          select,
          h("option", { value: "auto" }, t("projector_auto")),
          h("option", { value: "agenda" }, t("projector_agenda")),
          ...s.propositions.map((p, i) =>
            h(
              "option",
              { value: `p:${p.id}` },
              `${i + 1}. ${clip(p.text)}`,
            ),
          ),
        );
      }
      const choice = s.session.display ?? { mode: "auto", proposition_id: null };
      if (document.activeElement !== select) select.value = optionValue(choice);
      const shown = s.propositions.find((p) => p.id === choice.shown);
      setText(status, shown ? t("projector_showing", { text: clip(shown.text) }) : t("projector_agenda_now"));
    },
  };
}
