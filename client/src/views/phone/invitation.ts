// A personal invitation link (`/invite#<key>`): the phone posts the key and
// takes part as the registrant, with the group, channel and language of their
// registration (no form to fill). Every opening, on any device, continues the
// same participant; a withdrawn link says it is no longer valid.
import { createShell, type Shell } from "../../shell";
import { hasChosenLanguage, isLang, setLanguage, t } from "../../i18n";
import type { InvitationAnswer, WireError } from "../../protocol";
import { participate } from "./index";

export function start(): void {
  const shell = createShell("view-phone", t("join_title"));
  void open(shell, location.hash.slice(1));
}

async function open(shell: Shell, key: string): Promise<void> {
  shell.clearFatal();
  if (!key) {
    shell.showFatal(t("invitation_missing"));
    return;
  }
  const response = await fetch("/api/invitation", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ invitation: key }),
  }).catch(() => null);
  const body: unknown = await response?.json().catch(() => null);
  if (!response?.ok) {
    const error = (body as { error?: WireError } | null)?.error;
    shell.showFatal(t("invitation_invalid", { message: error?.message ?? t("no_answer") }));
    return;
  }
  const answer = body as InvitationAnswer;
  // The language of the registration is the page's, unless the person chose another here.
  if (answer.language && isLang(answer.language) && !hasChosenLanguage()) setLanguage(answer.language);
  participate(shell, `invite:${answer.participant_id}`, answer.token, () => void open(shell, key));
}
