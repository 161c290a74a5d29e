// Join codes as people type them: any case, with spaces or hyphens, and the
// letters that look like the code's digits (O for 0; I and l for 1). The
// server reads codes the same way (server/sessions.py: normalise_join_code).
const LOOK_ALIKES: Record<string, string> = { O: "0", I: "1", L: "1" };

export function normaliseJoinCode(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[\s-]+/g, "")
    .replace(/[OIL]/g, (letter) => LOOK_ALIKES[letter] ?? letter);
}
