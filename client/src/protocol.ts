// The wire contract (docs/protocol.md) for all four views: the vocabulary
// comes generated from the server's Python source, the shapes are declared here.

import {
  CHANNELS,
  DEFAULT_GROUPS,
  ERROR_CODES,
  INTENTS,
  LIMITS,
  MARKS,
  ROLES,
  SCALE,
  type CommandName,
  type Payloads,
} from "./generated/vocabulary";

// The vocabulary is generated from the server's Python source (scripts/generate);
// this module adds the shapes of what the server sends.
export { CHANNELS, DEFAULT_GROUPS, INTENTS, MARKS, SCALE };
export type { CommandName };
export type ScaleKey = (typeof SCALE)[number];
export type Counts = Record<ScaleKey, number>;
export type Channel = (typeof CHANNELS)[number];
export type ParticipantChannel = Exclude<Channel, "hub">;
export type Intent = (typeof INTENTS)[number];
export type MarkStatus = (typeof MARKS)[number];
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
}

export type Role = (typeof ROLES)[number];

// ---- HTTP ----

export interface JoinInfo {
  title: string;
  stakeholder_groups: string[];
  languages: string[];
  channels: string[];
}

export interface JoinRequest {
  join_code: string;
  stakeholder_group: string;
  channel: ParticipantChannel;
  name?: string;
  language?: string;
}

export interface JoinAnswer {
  session_id: string;
  participant_id: string;
  token: string;
}

/** An extension: what `POST /api/invitation` answers for a personal invitation link. */
export interface InvitationAnswer {
  session_id: string;
  participant_id: string;
  token: string;
  title: string;
  stakeholder_group: string;
  channel: ParticipantChannel;
  language: string | null;
}

export type DeliveryStatus = "queued" | "sent" | "failed";

/** An extension: one registrant as the facilitator's registrant routes list them. */
export interface Registrant {
  registrant_id: string;
  name: string;
  email: string | null;
  stakeholder_group: string;
  channel: ParticipantChannel;
  language: string;
  removed: boolean;
  joined: boolean;
  link: string | null;
  delivery: { status: DeliveryStatus; reason: string | null; at: number } | null;
}

/** One bad row of a refused registrant list (`error.rows`). */
export interface RowProblem {
  row: number;
  reason: string;
}

export const REPORT_FORMATS = ["md", "html", "csv", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

// ---- Snapshot and state ----

export interface Metrics {
  agree_share: number | null;
  oppose_share: number | null;
  strong_oppose_share: number | null;
  confused_share: number | null;
  agreement_score: number | null;
  group_consensus: number | null;
  weakest_group: { group: string; agree_share: number } | null;
  flags: string[];
  suggests_rough_consensus: boolean;
}

export interface Round {
  round: number;
  /** Absent for participants and hubs until the results are revealed. */
  total?: number;
  counts?: Counts;
  by_group?: Record<string, Counts>;
  by_channel?: Partial<Record<Channel, Counts>>;
  metrics?: Metrics;
  /** Admission `both`: registered and self-declared raters apart. */
  by_admission?: Partial<Record<"registered" | "self_declared", Counts>>;
  metrics_registered?: Metrics | null;
  suggestion_follows?: "all" | "registered";
}

export interface Mark {
  status: MarkStatus;
  note: string | null;
}

export interface Objection {
  round: number;
  value: ScaleKey;
  comment: string;
  stakeholder_group: string;
  channel: Channel;
}

export type PropositionStatus = "draft" | "open" | "closed";

export interface Proposition {
  id: string;
  text: string;
  source: string | null;
  status: PropositionStatus;
  round: number;
  revealed: boolean;
  mark: Mark | null;
  rounds: Round[];
  objections?: Objection[];
}

export interface QueueEntry {
  entry_id: string;
  name: string;
  stakeholder_group: string;
  channel: Channel;
  intent: Intent;
  proposition_id: string | null;
  hub_id: string | null;
  pinned: boolean;
}

export interface Queue {
  current: QueueEntry | null;
  /** Every waiting entry in order; for participants only the first few (see `Place`). */
  entries: QueueEntry[];
  /** How many are waiting in all. */
  length: number;
}

/** A participant's own waiting entry and its 1-based position in the queue. */
export interface Place {
  entry_id: string;
  position: number;
  intent: Intent;
}

export interface Timer {
  running: boolean;
  duration: number | null;
  remaining: number | null;
}

export interface SessionInfo {
  session_id: string;
  title: string;
  languages: string[];
  stakeholder_groups: string[];
  join_code: string;
  join_url: string;
  settings: {
    results_visibility: "on_reveal" | "live";
    speaking_seconds: number;
    consensus: Record<string, number>;
    admission?: "open" | "registered" | "both";
    suggestion_follows?: "all" | "registered";
  };
}

export interface Participation {
  joined: number;
  in_room: number;
  remote: number;
  hubs: number;
  hub_attendance: number;
  /** Unless admission is `open`: participants who came through an invitation, and registrants. */
  registered?: number;
  invited?: number;
}

export interface HubSummary {
  hub_id: string;
  name: string;
  attendance: number;
}

export interface OwnRating {
  round: number;
  value: ScaleKey | null;
  comment: string | null;
}

export interface Me {
  participant_id: string;
  name: string | null;
  stakeholder_group: string;
  channel: ParticipantChannel;
  language: string | null;
  entry_id: string | null;
  ratings: Record<string, OwnRating>;
}

export interface HubSelf extends HubSummary {
  tallies: Record<string, { round: number; counts: Counts; by_group: Record<string, Counts> | null }>;
}

export interface ParticipantRow {
  participant_id: string;
  name: string | null;
  stakeholder_group: string;
  channel: ParticipantChannel;
  language: string | null;
  removed: boolean;
  registered: boolean;
}

/** A turn at the floor; `duration` is null while it lasts. */
export interface SpeakerTurn {
  entry_id: string;
  name: string;
  stakeholder_group: string;
  channel: Channel;
  intent: Intent;
  hub_id: string | null;
  started_at: number;
  duration: number | null;
}

export interface Snapshot {
  version: number;
  role: Role;
  session: SessionInfo;
  head: string | null;
  participation?: Participation; // facilitator and display
  propositions: Proposition[];
  queue: Queue;
  timer: Timer;
  hubs?: HubSummary[];
  me?: Me;
  hub?: HubSelf;
  participants?: ParticipantRow[];
  speaker_log?: SpeakerTurn[]; // facilitator
  place?: Place | null; // participant
}

/** The console's participant rows that joined or changed after version `since`. */
export interface ParticipantsDelta {
  since: number;
  rows: ParticipantRow[];
}

/** A coalesced change: `version` plus any of the snapshot's top-level keys, or a delta. */
export type StatePatch = Partial<Omit<Snapshot, "version">> & {
  version: number;
  participants_delta?: ParticipantsDelta;
};

// ---- Commands: name → payload (generated) and successful ack ----

/** What each command's successful ack carries besides `ok`. */
export interface Acks {
  sync: object;
  "auth:refresh": { token: string };
  "rating:submit": { round: number };
  "hand:raise": { entry_id: string; position: number };
  "hand:lower": object;
  "hub:tally": { round: number };
  "hub:speaker": { entry_id: string; position: number };
  "proposition:add": { proposition_id: string };
  /** An extension: puts a proposition at a 1-based position of the agenda. */
  "proposition:move": object;
  "proposition:open": { round: number };
  "proposition:close": object;
  "results:reveal": object;
  "queue:next": { current: QueueEntry | null };
  "queue:move": object;
  "queue:remove": object;
  "timer:set": object;
  "consensus:mark": object;
  "hub:invite": { hub_id: string; token: string; url: string };
  "hub:update": object;
  /** An extension: a new hub link; the old one stops working. */
  "hub:rotate": { hub_id: string; token: string; url: string };
  /** An extension: a new console or projector link; the old one stops working. */
  "links:rotate": { role: "facilitator" | "display"; token: string; url: string };
  "participant:remove": object;
  /** An extension: revokes a registrant's invitation link. */
  "registrant:remove": object;
}

// A command added on the server without its ack here fails to compile, and so
// does an ack left here for a command the server no longer has.
type Missing = Exclude<CommandName, keyof Acks>;
type Extra = Exclude<keyof Acks, CommandName>;
export const ACKS_MATCH_COMMANDS: [Missing, Extra] extends [never, never] ? true : never = true;

export type Commands = { [N in CommandName]: { payload: Payloads[N]; ack: Acks[N] } };
export type Payload<N extends CommandName> = Commands[N]["payload"] & { request_id?: string };
export type Ack<N extends CommandName> =
  ({ ok: true } & Commands[N]["ack"]) | { ok: false; error: WireError };

/** Server → client events. */
export interface ServerEvents {
  snapshot: (s: Snapshot) => void;
  state: (p: StatePatch) => void;
}

export const COMMENT_MAX = LIMITS.comment;

export function latestRound(p: Proposition): Round | undefined {
  return p.rounds.find((r) => r.round === p.round) ?? p.rounds[p.rounds.length - 1];
}

export function sumCounts(c: Counts): number {
  return SCALE.reduce((n, k) => n + c[k], 0);
}
