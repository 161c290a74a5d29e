// A proposition's wording in the console: edit a draft, revise an opened one
// (each earlier wording stays on the record with the rounds that rated it),
// withdraw it, undo a close made by mistake.
import "../../styles/wording.css";
import { h, replace, setText, uid } from "../../dom";
import { t } from "../../i18n";
import { LIMITS } from "../../generated/vocabulary";
import type { Proposition } from "../../protocol";
import type { ConsoleContext } from "./context";

export interface WordingTools {
  /** Buttons for the card's row of controls. */
  buttons: HTMLElement;
  /** The edit form and the record of wordings, under the text. */
  el: HTMLElement;
  update(p: Proposition): void;
}

export function wordingTools({ run }: ConsoleContext): WordingTools {
  let current: Proposition | null = null;
  const edit = h("button", { type: "button", class: "small" }, t("edit_text"));
  const undo = h("button", { type: "button", class: "small" }, t("undo_close"));
  const withdraw = h("button", { type: "button", class: "small danger" }, t("withdraw_proposition"));

  const textId = uid("edit-text");
  const sourceId = uid("edit-source");
  const text = h("textarea", { id: textId, dir: "auto", rows: 3, maxlength: LIMITS.proposition });
  const source = h("input", { id: sourceId, dir: "auto", maxlength: LIMITS.source });
  const note = h("p", { class: "muted" }, t("revise_note"));
  const save = h("button", { type: "submit", class: "primary" }, t("save"));
  const saveRound = h("button", { type: "button" }, t("save_new_round"));
  const cancel = h("button", { type: "button" }, t("cancel"));
  const form = h(
    "form",
    { class: "edit-form", hidden: true },
    h("div", { class: "field" }, h("label", { for: textId }, t("wording_text")), text),
    h("div", { class: "field" }, h("label", { for: sourceId }, t("wording_source")), source),
    note,
    h("div", { class: "row" }, save, saveRound, cancel),
  );
  const history = h("ol", { class: "wordings" });
  const rounds = h("p", { class: "meta" });
  const record = h("details", { class: "wordings-record" }, h("summary", {}, t("wordings")), history, rounds);

  const close = (): void => {
    form.hidden = true;
    edit.focus();
  };
  edit.addEventListener("click", () => {
    if (!current) return;
    text.value = current.text;
    source.value = current.source ?? "";
    note.hidden = current.round === 0;
    saveRound.hidden = false;
    form.hidden = false;
    text.focus();
  });
  cancel.addEventListener("click", close);
  const submit = async (newRound: boolean): Promise<void> => {
    if (!current) return;
    const ack = await run("proposition:edit", {
      proposition_id: current.id,
      text: text.value,
      source: source.value.trim(),
      new_round: newRound,
    });
    if (ack) close();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit(false);
  });
  saveRound.addEventListener("click", () => void submit(true));
  undo.addEventListener("click", () => {
    if (current) void run("proposition:undo_close", { proposition_id: current.id });
  });
  withdraw.addEventListener("click", () => {
    if (!current || !window.confirm(t("confirm_withdraw", { text: current.text }))) return;
    void run("proposition:withdraw", { proposition_id: current.id });
  });

  return {
    buttons: h("span", { class: "wording-buttons" }, edit, undo, withdraw),
    el: h("div", { class: "wording" }, form, record),
    update(p) {
      current = p;
      const live = p.status !== "withdrawn";
      edit.hidden = !live;
      withdraw.hidden = !live;
      // Undone only while the closed round rated the wording as it stands.
      const last = p.rounds[p.rounds.length - 1];
      undo.hidden = p.status !== "closed" || !last || last.revision !== p.revision;
      if (!live) form.hidden = true;
      for (const button of [edit, undo, withdraw])
        button.setAttribute("aria-label", `${button.textContent}: ${p.text}`);
      record.hidden = p.earlier.length === 0;
      replace(
        history,
        ...[...p.earlier, { revision: p.revision, text: p.text }].map((w) =>
          h(
            "li",
            { "data-revision": String(w.revision) },
            h("span", { class: "badge" }, t("revision_n", { n: w.revision })),
            " ",
            h("span", { dir: "auto" }, w.text),
          ),
        ),
      );
      setText(
        rounds,
        p.rounds.map((r) => t("round_rated_revision", { round: r.round, revision: r.revision })).join(" · "),
      );
    },
  };
}
