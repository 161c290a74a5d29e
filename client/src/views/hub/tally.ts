// A hub's counts for one open proposition: per stakeholder group (the
// protocol's `by_group`), or totals only for a hub that knows no more.
// Either way the sum is checked against the hub's attendance before sending.
import type { Connection } from "../../connection";
import { h, setText, uid } from "../../dom";
import { groupLabel, scaleLabel, t } from "../../i18n";
import { SCALE, sumCounts, type Counts, type Proposition, type ScaleKey } from "../../protocol";
import type { Shell } from "../../shell";

export interface Sent {
  round: number;
  counts: Counts;
  by_group: Record<string, Counts> | null;
}

export interface TallyForm {
  el: HTMLElement;
  update(p: Proposition, attendance: number, groups: string[], sent: Sent | undefined): void;
}

type Mode = "groups" | "totals";

function numberInput(label: string, value: ScaleKey, extra: Record<string, string> = {}): HTMLInputElement {
  return h("input", {
    type: "number",
    min: 0,
    step: 1,
    value: 0,
    inputmode: "numeric",
    "aria-label": label,
    "data-value": value,
    ...extra,
  });
}

function read(input: HTMLInputElement | undefined): number {
  return Math.max(0, Math.floor(Number(input?.value) || 0));
}

export function tallyForm(p: Proposition, shell: Shell, connection: Connection): TallyForm {
  let current = p;
  let attendance = 0;
  let filledRound = -1;
  let groups: string[] = [];
  let mode: Mode = "groups";

  // Totals only: one field per scale value, labelled with the value alone.
  const totals = new Map<ScaleKey, HTMLInputElement>();
  const totalFields = SCALE.map((key) => {
    const id = uid(`count-${key}`);
    const input = numberInput("", key, { id });
    input.removeAttribute("aria-label");
    totals.set(key, input);
    return h("div", { class: `count-field v-edge-${key}` }, h("label", { for: id }, scaleLabel(key)), input);
  });
  const totalsGrid = h("div", { class: "count-grid" }, ...totalFields);

  // By group: a row per group, a column per value, the column sums below.
  const cells = new Map<string, Map<ScaleKey, HTMLInputElement>>();
  const sums = new Map<ScaleKey, HTMLElement>();
  const body = h("tbody", {});
  const table = h(
    "table",
    { class: "group-grid" },
    h("caption", { class: "sr-only" }, t("hub_by_group")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("join_group")),
        ...SCALE.map((k) => h("th", { scope: "col", class: `v-edge-${k}` }, scaleLabel(k))),
      ),
    ),
    body,
    h(
      "tfoot",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "row" }, t("total")),
        ...SCALE.map((k) => {
          const cell = h("td", { class: "col-sum" }, "0");
          sums.set(k, cell);
          return cell;
        }),
      ),
    ),
  );
  const groupsBox = h("div", { class: "group-grid-box" }, table);

  const name = uid("mode");
  const modeChoice = (value: Mode, label: string): HTMLElement => {
    const input = h("input", { type: "radio", name, value, checked: value === mode });
    input.addEventListener("change", () => {
      // Totals carry over from the groups, so switching never loses a count.
      if (value === "totals" && mode === "groups") {
        const all = counts();
        for (const key of SCALE) (totals.get(key) as HTMLInputElement).value = String(all[key]);
      }
      mode = value;
      check();
    });
    return h("label", { class: "choice" }, input, h("span", {}, label));
  };
  const modes = h(
    "fieldset",
    { class: "modes row" },
    h("legend", {}, t("hub_count_how")),
    modeChoice("groups", t("hub_mode_groups")),
    modeChoice("totals", t("hub_mode_totals")),
  );

  const sum = h("p", { class: "sum", role: "status" });
  const over = h("p", { class: "over", role: "alert", hidden: true });
  const sentNote = h("p", { class: "sent muted" });
  const send = h("button", { type: "submit", class: "primary" }, t("hub_send"));
  const text = h("h3", { class: "prop-text", dir: "auto" }, p.text);
  const form = h(
    "form",
    { class: "card tally", "data-proposition": p.id },
    text,
    modes,
    groupsBox,
    totalsGrid,
    sum,
    over,
    send,
    sentNote,
  );

  const byGroup = (): Record<string, Counts> => {
    const result: Record<string, Counts> = {};
    for (const [group, row] of cells) {
      const counts = {} as Counts;
      for (const key of SCALE) counts[key] = read(row.get(key));
      if (sumCounts(counts) > 0) result[group] = counts;
    }
    return result;
  };
  const counts = (): Counts => {
    const result = {} as Counts;
    if (mode === "totals") {
      for (const key of SCALE) result[key] = read(totals.get(key));
      return result;
    }
    for (const key of SCALE) result[key] = 0;
    for (const row of Object.values(byGroup())) for (const key of SCALE) result[key] += row[key];
    return result;
  };
  const check = (): void => {
    groupsBox.hidden = mode !== "groups";
    totalsGrid.hidden = mode !== "totals";
    const all = counts();
    for (const key of SCALE) setText(sums.get(key) as HTMLElement, String(all[key]));
    const total = sumCounts(all);
    setText(sum, t("hub_sum", { sum: total, attendance }));
    over.hidden = total <= attendance;
    setText(over, t("hub_over", { attendance }));
    send.disabled = total > attendance;
  };
  form.addEventListener("input", check);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    check();
    if (send.disabled) return;
    send.disabled = true;
    const payload =
      mode === "groups"
        ? { proposition_id: current.id, counts: counts(), by_group: byGroup() }
        : { proposition_id: current.id, counts: counts() };
    const ack = await connection.command("hub:tally", payload, { retry: true });
    send.disabled = false;
    if (!ack.ok) return shell.showError(ack.error);
    setText(sentNote, t(mode === "groups" ? "hub_sent_groups" : "hub_sent", { n: ack.round }));
  });

  const buildRows = (): void => {
    cells.clear();
    body.replaceChildren(
      ...groups.map((group) => {
        const row = new Map<ScaleKey, HTMLInputElement>();
        cells.set(group, row);
        const label = groupLabel(group);
        return h(
          "tr",
          { "data-group": group },
          h("th", { scope: "row", dir: "auto" }, label),
          ...SCALE.map((key) => {
            const input = numberInput(`${label}: ${scaleLabel(key)}`, key);
            row.set(key, input);
            return h("td", {}, input);
          }),
        );
      }),
    );
  };

  const fill = (sent: Sent | undefined, round: number): void => {
    const previous = sent && sent.round === round ? sent : null;
    for (const key of SCALE) (totals.get(key) as HTMLInputElement).value = String(previous?.counts[key] ?? 0);
    for (const [group, row] of cells) {
      for (const key of SCALE) {
        (row.get(key) as HTMLInputElement).value = String(previous?.by_group?.[group]?.[key] ?? 0);
      }
    }
    setText(sentNote, previous ? t("hub_sent", { n: round }) : "");
  };

  return {
    el: form,
    update(next, nextAttendance, nextGroups, sent) {
      current = next;
      attendance = nextAttendance;
      setText(text, next.text);
      if (nextGroups.join("\n") !== groups.join("\n")) {
        groups = nextGroups;
        buildRows();
        filledRound = -1;
      }
      // Fill in what the hub sent for this round once, then leave the fields to the moderator.
      if (filledRound !== next.round) {
        filledRound = next.round;
        fill(sent, next.round);
      }
      check();
    },
  };
}
