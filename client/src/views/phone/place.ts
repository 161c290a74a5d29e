// One's own place in the queue. Phones are sent only the head of the queue
// (`queue.entries`, a few) and their own `place`, never the whole queue.
import type { Place, Snapshot } from "../../protocol";

/** The waiting entry `mine` and its position, from the head of the queue when
 * it is there (the room's latest), else from the phone's own `place`. */
export function ownPlace(s: Snapshot, mine: string | null): Place | null {
  if (mine === null) return null;
  const index = s.queue.entries.findIndex((e) => e.entry_id === mine);
  const entry = s.queue.entries[index];
  if (entry) return { entry_id: mine, position: index + 1, intent: entry.intent };
  return s.place?.entry_id === mine ? s.place : null;
}
