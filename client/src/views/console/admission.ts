// Registered and self-declared raters apart (admission `both`): one line per
// round on a proposition card, and whether the registered raters' own figures
// suggest rough consensus (the suggestion above follows them when the
// session's `suggestion_follows` says so).
import { h } from "../../dom";
import { t } from "../../i18n";
import { sumCounts, type Round } from "../../protocol";

export function admissionSplit(round: Round | undefined): HTMLElement | null {
  const split = round?.by_admission;
  if (!split) return null;
  const registered = split.registered ? sumCounts(split.registered) : 0;
  const declared = split.self_declared ? sumCounts(split.self_declared) : 0;
  const own = round.metrics_registered;
  const verdict = own?.suggests_rough_consensus ? t("suggests_consensus") : t("no_suggestion");
  return h(
    "p",
    {
      class: "admission-split",
      "data-registered": registered,
      "data-self-declared": declared,
      "data-follows": round.suggestion_follows ?? "all",
    },
    `${t("registered_raters")}: `,
    h("bdi", { dir: "ltr" }, String(registered)),
    ` · ${t("self_declared_raters")}: `,
    h("bdi", { dir: "ltr" }, String(declared)),
    own ? ` · ${t("registered_suggests", { verdict })}` : "",
  );
}
