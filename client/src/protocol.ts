// The wire contract (docs/protocol.md), declared
// once for all four views. Names here must match the server's exactly.

export const SCALE = [
  "strongly_agree",
  "agree",
  "neutral",
  "disagree",
  "strongly_disagree",
  "confused",
] as const;
export type ScaleKey = (typeof SCALE)[number];
export type Counts = Record<ScaleKey, number>;

export const CHANNELS = ["in_room", "remote", "hub"] as const;
export type Channel = (typeof CHANNELS)[number];
export type ParticipantChannel = Exclude<Channel, "hub">;

export const DEFAULT_GROUPS = [
  "government",
  "private_sector",
  "civil_society",
  "technical_community",
  "academia",
  "intergovernmental_organization",
  "other",
] as const;

export const INTENTS = ["point_of_order", "reply", "clarify", "speak"] as const;
export type Intent = (typeof INTENTS)[number];

export const MARKS = ["rough_consensus", "no_consensus", "needs_revision", "unmarked"] as const;
export type MarkStatus = (typeof MARKS)[number];

export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "closed"
  | "rate_limited"
  | "too_large"
  | "internal";

export interface WireError {
  code: ErrorCode;
  message: string;
}

export type Role = "participant" | "facilitator" | "display" | "hub";

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
  entries: QueueEntry[];
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
  };
}

export interface Participation {
  joined: number;
  in_room: number;
  remote: number;
  hubs: number;
  hub_attendance: number;
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
}

/** A coalesced change: `version` plus any of the snapshot's top-level keys. */
export type StatePatch = Partial<Omit<Snapshot, "version">> & { version: number };

// ---- Commands: name → payload and successful ack ----

export interface Commands {
  sync: { payload: Record<string, never>; ack: object };
  "auth:refresh": { payload: Record<string, never>; ack: { token: string } };
  "rating:submit": {
    payload: { proposition_id: string; value: ScaleKey | null; comment?: string };
    ack: { round: number };
  };
  "hand:raise": {
    payload: { intent: Intent; proposition_id?: string };
    ack: { entry_id: string; position: number };
  };
  "hand:lower": { payload: Record<string, never>; ack: object };
  "hub:tally": {
    payload: { proposition_id: string; counts: Counts; by_group?: Record<string, Counts> };
    ack: { round: number };
  };
  "hub:speaker": {
    payload: { name: string; stakeholder_group: string; intent: Intent };
    ack: { entry_id: string; position: number };
  };
  "proposition:add": { payload: { text: string; source?: string }; ack: { proposition_id: string } };
  /** An extension: puts a proposition at a 1-based position of the agenda. */
  "proposition:move": { payload: { proposition_id: string; position: number }; ack: object };
  "proposition:open": { payload: { proposition_id: string }; ack: { round: number } };
  "proposition:close": { payload: { proposition_id: string }; ack: object };
  "results:reveal": { payload: { proposition_id: string; visible: boolean }; ack: object };
  "queue:next": { payload: Record<string, never>; ack: { current: QueueEntry | null } };
  "queue:move": { payload: { entry_id: string; position: number }; ack: object };
  "queue:remove": { payload: { entry_id: string }; ack: object };
  "timer:set": {
    payload: { action: "start" | "pause" | "reset"; seconds?: number };
    ack: object;
  };
  "consensus:mark": {
    payload: { proposition_id: string; status: MarkStatus; note?: string };
    ack: object;
  };
  "hub:invite": {
    payload: { name: string; attendance: number };
    ack: { hub_id: string; token: string; url: string };
  };
  "hub:update": { payload: { hub_id: string; attendance: number }; ack: object };
  /** An extension: a new hub link; the old one stops working. */
  "hub:rotate": { payload: { hub_id: string }; ack: { hub_id: string; token: string; url: string } };
  "participant:remove": { payload: { participant_id: string; discard_ratings?: boolean }; ack: object };
}

export type CommandName = keyof Commands;
export type Payload<N extends CommandName> = Commands[N]["payload"] & { request_id?: string };
export type Ack<N extends CommandName> =
  ({ ok: true } & Commands[N]["ack"]) | { ok: false; error: WireError };

/** Server → client events. */
export interface ServerEvents {
  snapshot: (s: Snapshot) => void;
  state: (p: StatePatch) => void;
}

export const COMMENT_MAX = 1000;

export function latestRound(p: Proposition): Round | undefined {
  return p.rounds.find((r) => r.round === p.round) ?? p.rounds[p.rounds.length - 1];
}

export function sumCounts(c: Counts): number {
  return SCALE.reduce((n, k) => n + c[k], 0);
}
