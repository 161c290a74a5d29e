// The wire contract (docs/protocol.md) for all four views: the vocabulary
// comes generated from the server's Python source, the shapes are declared here.

import {
  AMENDMENT_STATUSES,
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
  /** An extension: `registered` admits invitations only (the join form is not shown). */
  admission?: "open" | "registered" | "both";
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
  /** The revision of the proposition's wording this round rated. */
  revision: number;
  /** Absent for participants and hubs until the results are revealed. */
  total?: number;
  counts?: Counts;
  by_group?: Record<string, Counts>;
  by_channel?: Partial<Record<Channel, Counts>>;
  /** Inside the live hour ("live") and outside it ("window"); present once
   * someone rated outside it (outside the console: when both sides are big enough). */
  by_timing?: Partial<Record<"live" | "window", Counts>>;
  metrics?: Metrics;
  /** Admission `both`: registered and self-declared raters apart. */
  by_admission?: Partial<Record<"registered" | "self_declared", Counts>>;
  metrics_registered?: Metrics | null;
  suggestion_follows?: "all" | "registered";
}

export type WindowStatus = "scheduled" | "open" | "closed" | "cancelled";

/** A rating window; times are seconds since the epoch. */
export interface RatingWindow {
  window_id: string;
  /** null: the whole agenda. */
  proposition_id: string | null;
  opens_at: number;
  closes_at: number;
  status: WindowStatus;
  opened_at: number | null;
  closed_at: number | null;
}

/** Where a carried-forward proposition comes from (facilitator only). */
export interface Provenance {
  session_id: string;
  title: string;
  head: string;
  status: MarkStatus;
  round: number;
  total: number;
  agree_share: number | null;
  counts: Partial<Counts>;
}

export interface Publication {
  published: boolean;
  version?: number;
  note?: string | null;
  at?: number;
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

export type PropositionStatus = "draft" | "open" | "closed" | "withdrawn";
export type AmendmentStatus = (typeof AMENDMENT_STATUSES)[number];

/** A wording a proposition had before its current revision. */
export interface Wording {
  revision: number;
  text: string;
  source: string | null;
  translations: Record<string, string>;
}

/** An amendment as the console sees it: group and channel, never who. */
export interface Amendment {
  amendment_id: string;
  text: string;
  why: string | null;
  stakeholder_group: string;
  channel: Channel;
  status: AmendmentStatus;
  note: string | null;
  revision: number | null;
  at: number;
}

/** One's own amendment and what became of it (the proposer's view only). */
export interface OwnAmendment {
  amendment_id: string;
  proposition_id: string;
  text: string;
  status: AmendmentStatus;
  note: string | null;
  revision: number | null;
}

export interface Proposition {
  id: string;
  text: string;
  source: string | null;
  /** The title of the draft's section it came from. */
  section?: string | null;
  status: PropositionStatus;
  round: number;
  revealed: boolean;
  mark: Mark | null;
  rounds: Round[];
  objections?: Objection[];
  /** The current wording's revision (1 as added), its translations, the wordings it replaced. */
  revision: number;
  translations: Record<string, string>;
  earlier: Wording[];
  amendments?: Amendment[]; // facilitator
  consensus?: ConsensusFigures | null; // facilitator: both figures of the current round
  /** The open rating window it can be rated in while not open live. */
  window?: RatingWindow;
  provenance?: Provenance;
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
  /** The head of the waiting entries in order: the console's first 50 (more with
   * `queue:page`), the first 5 for everyone else (a phone's own in `Place`). */
  entries: QueueEntry[];
  /** How many are waiting in all. */
  length: number;
  /** Console: a fingerprint of the entries beyond its page; it changes with them. */
  beyond?: string;
  /** A hub's own waiting entries, with their 1-based positions. */
  own?: (QueueEntry & { position: number })[];
  /** The list of speakers is closed: no new hands (`queue:close`). */
  closed?: boolean;
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
    intent_seconds?: Partial<Record<Intent, number>>;
    min_group_size?: number;
    consensus: Record<string, number>;
    time_zone?: string;
    admission?: "open" | "registered" | "both";
    suggestion_follows?: "all" | "registered";
  };
  /** `closed` / `archived` by the operator: no more joins, ratings or hands. */
  status?: "open" | "closed" | "archived";
  /** What the projector shows (`display:show`). */
  display?: DisplayChoice;
}

export type DisplayMode = "auto" | "proposition" | "agenda";

export interface DisplayChoice {
  mode: DisplayMode;
  proposition_id: string | null;
  /** The proposition shown now (auto resolved by the server); null: the agenda. */
  shown?: string | null;
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
  amendments: OwnAmendment[];
}

export interface HubSelf extends HubSummary {
  tallies: Record<string, { round: number; counts: Counts; by_group: Record<string, Counts> | null }>;
  amendments: OwnAmendment[];
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

/** Both consensus figures of a proposition's current round (console only). */
export interface ConsensusFigures {
  round: number;
  stakeholder_groups: number | null;
  opinion_groups: number | null;
}

/** A map point: [x, y, group label] (null: placed but in no group). Never an id. */
export type OpinionPoint = [number, number, number | null];

export interface OpinionRepresentative {
  id: string;
  position: number;
  direction: "agree" | "disagree";
  probability: number;
  ratio: number;
}

export interface OpinionGroup {
  label: number;
  size: number;
  representative?: OpinionRepresentative[]; // console only
}

/** The console's opinion section; the display's has only groups and points. */
export interface Opinions {
  placed?: number;
  min_group_size?: number;
  groups: OpinionGroup[];
  points: OpinionPoint[];
}

export interface OwnOpinionGroup {
  label: number;
  groups: number;
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
  opinions?: Opinions | null; // facilitator; display once results are public
  opinion_group?: OwnOpinionGroup | null; // participant: their own group only
  windows?: RatingWindow[]; // facilitator, display, participants
  publication?: Publication; // facilitator
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
  /** An extension: the console's page of waiting entries from `offset`. */
  "queue:page": { version: number; offset: number; entries: QueueEntry[]; length: number };
  "rating:submit": { round: number };
  "hand:raise": { entry_id: string; position: number };
  "hand:lower": object;
  /** An extension: the speaker (or their hub) ends the turn. */
  "queue:yield": object;
  /** An extension: closes or reopens the list of speakers. */
  "queue:close": object;
  /** An extension: what the projector shows. */
  "display:show": object;
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
  /** Extensions: a proposition's wording on the record (docs/protocol.md). */
  "proposition:edit": { revision: number; round: number };
  "proposition:withdraw": object;
  "proposition:undo_close": { round: number };
  "amendment:propose": { amendment_id: string };
  "amendment:accept": { proposition_id: string; revision: number; round: number };
  "amendment:decline": object;
  "proposition:translate": object;
  /** Extensions: rating windows before and after the live hour, the published outcome. */
  "window:set": { window_id: string };
  "window:cancel": object;
  "outcome:publish": { version: number };
  "outcome:unpublish": object;
  /** An extension: revokes a registrant's invitation link. */
  "registrant:remove": object;
  /** An extension: who may take part, and whose ratings the suggestion follows. */
  "admission:set": object;
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
export const NOTE_MAX = LIMITS.note;

export function latestRound(p: Proposition): Round | undefined {
  return p.rounds.find((r) => r.round === p.round) ?? p.rounds[p.rounds.length - 1];
}

export function sumCounts(c: Counts): number {
  return SCALE.reduce((n, k) => n + c[k], 0);
}
