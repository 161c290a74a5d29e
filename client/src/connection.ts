// The one socket connection of a view. It holds the latest snapshot, merges
// coalesced `state` patches into it, re-syncs on every (re)connect, and turns
// every command into a promise of its ack, so no view talks to the socket.
import { io, type Socket } from "socket.io-client";
import { randomId } from "./dom";
import { t } from "./i18n";
import type { Ack, CommandName, ParticipantRow, Payload, Snapshot, StatePatch, WireError } from "./protocol";

export type Status = "connecting" | "connected" | "reconnecting" | "refused";
export type SnapshotListener = (next: Snapshot, previous: Snapshot | null) => void;
export type StatusListener = (status: Status, error: WireError | null) => void;
/** Told whether some command is waiting for the server to answer it. */
export type WaitingListener = (waiting: boolean) => void;

// A command unanswered this long is treated as lost: reported, or retried
// when it carries a request_id (the server then applies it only once).
const ACK_TIMEOUT_MS = 8000;
// A retried command answered `unavailable` (the server cannot record right
// now, e.g. its Redis is unreachable) or not at all is sent again after a
// pause that doubles up to a cap; the random part keeps a hall of phones
// from all sending again in the same instant when the server comes back.
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_CAP_MS = 8000;
// Tokens last days (a session can span several); a view left open renews
// its token well before that, so a reload or reconnect never finds it expired.
const REFRESH_EVERY_MS = 6 * 60 * 60 * 1000;

interface RefusalError extends Error {
  data?: { code?: string; message?: string };
}

export class Connection {
  snapshot: Snapshot | null = null;
  status: Status = "connecting";
  private readonly socket: Socket;
  private readonly refreshTimer: number;
  private readonly snapshotListeners = new Set<SnapshotListener>();
  private readonly statusListeners = new Set<StatusListener>();
  private readonly waitingListeners = new Set<WaitingListener>();
  private waitingCommands = 0;

  /** `onToken` keeps a renewed token where the view found it (storage or URL fragment). */
  constructor(
    token: string,
    private readonly onToken: (token: string) => void = () => undefined,
  ) {
    this.socket = io({ path: "/socket.io/", transports: ["websocket"], auth: { token } });
    this.socket.on("connect", () => {
      this.setStatus("connected", null);
      this.socket.emit("sync", {});
    });
    this.socket.on("disconnect", (reason) => {
      this.setStatus("reconnecting", null);
      // The server closes the sockets of a removed participant or a revoked
      // token; connecting once more tells us which (refused or back again).
      if (reason === "io server disconnect") this.socket.connect();
    });
    this.socket.on("connect_error", (err: RefusalError) => {
      if (this.socket.active) {
        this.setStatus("reconnecting", null); // a network problem: socket.io retries
        return;
      }
      const code = (err.data?.code ?? "unauthorized") as WireError["code"];
      this.setStatus("refused", { code, message: err.data?.message ?? err.message });
    });
    this.socket.on("snapshot", (s: Snapshot) => this.publish(s));
    this.socket.on("state", (patch: StatePatch) => this.merge(patch));
    // A phone's own opinion group comes to its socket alone, outside the room's patches.
    this.socket.on("opinion_group", (body: Pick<Snapshot, "opinion_group">) =>
      this.update((s) => ({ ...s, opinion_group: body.opinion_group ?? null })),
    );
    this.refreshTimer = window.setInterval(async () => {
      const ack = await this.command("auth:refresh", {});
      if (!ack.ok) return;
      this.socket.auth = { token: ack.token };
      onToken(ack.token);
    }, REFRESH_EVERY_MS);
  }

  /** Goes on under `token` (a rotated link's new one): reconnects and reloads use it. */
  adopt(token: string): void {
    this.socket.auth = { token };
    this.onToken(token);
  }

  onSnapshot(listener: SnapshotListener): () => void {
    this.snapshotListeners.add(listener);
    if (this.snapshot) listener(this.snapshot, null);
    return () => this.snapshotListeners.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    listener(this.status, null);
    return () => this.statusListeners.delete(listener);
  }

  /** Whether some retried command is waiting for the server (see `command`). */
  get waiting(): boolean {
    return this.waitingCommands > 0;
  }

  onWaiting(listener: WaitingListener): () => void {
    this.waitingListeners.add(listener);
    listener(this.waiting);
    return () => this.waitingListeners.delete(listener);
  }

  /**
   * Sends a command and resolves with its ack. With `retry`, the command gets
   * a request_id and is sent again, with the same request_id, while it is
   * answered `unavailable` or not answered at all, until the server answers
   * it otherwise: the server applies it once, even when an earlier send was
   * recorded and only its answer lost. Meanwhile `waiting` is true.
   */
  async command<N extends CommandName>(
    name: N,
    payload: Payload<N>,
    { retry = false }: { retry?: boolean } = {},
  ): Promise<Ack<N>> {
    if (!retry) {
      return (await this.send(name, payload)) ?? { ok: false, error: { code: "internal", message: t("no_answer") } };
    }
    const body = { ...payload, request_id: randomId() };
    let waited = false;
    const wait = (): void => {
      if (!waited) this.setWaiting(+1);
      waited = true;
    };
    try {
      for (let attempt = 0; ; attempt += 1) {
        if (!this.socket.connected) {
          wait(); // sent now, it would only sit in socket.io's buffer
          await this.connected();
        }
        const ack = await this.send(name, body);
        if (ack && (ack.ok || ack.error.code !== "unavailable")) return ack;
        wait();
        await pause(backoff(attempt));
      }
    } finally {
      if (waited) this.setWaiting(-1);
    }
  }

  /** The ack, or null when none came within the timeout. */
  private async send<N extends CommandName>(name: N, body: Payload<N>): Promise<Ack<N> | null> {
    try {
      return (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(name, body)) as Ack<N>;
    } catch {
      return null;
    }
  }

  /** Resolves once the socket is connected: a command sent meanwhile would only be buffered. */
  private connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve) => this.socket.once("connect", () => resolve()));
  }

  private setWaiting(change: number): void {
    const before = this.waiting;
    this.waitingCommands += change;
    if (this.waiting === before) return;
    for (const listener of this.waitingListeners) listener(this.waiting);
  }

  /** Applies a local change the server confirmed in an ack (e.g. one's own rating). */
  update(change: (s: Snapshot) => Snapshot): void {
    if (this.snapshot) this.publish(change(this.snapshot));
  }

  /** Stops for good (e.g. before joining again with a new token). */
  close(): void {
    this.snapshotListeners.clear();
    this.statusListeners.clear();
    this.waitingListeners.clear();
    window.clearInterval(this.refreshTimer);
    this.socket.disconnect();
  }

  private merge(patch: StatePatch): void {
    // Patches older than the held snapshot were overtaken by a re-sync.
    if (!this.snapshot || patch.version < this.snapshot.version) return;
    const { participants_delta: delta, ...keys } = patch;
    const next = { ...this.snapshot, ...keys };
    if (delta) {
      // Rows changed after `since`: what we hold must be at least that recent,
      // else a change was missed and only a fresh snapshot can repair it.
      if (delta.since > this.snapshot.version || !next.participants) {
        this.socket.emit("sync", {});
        return;
      }
      next.participants = upsertRows(next.participants, delta.rows);
    }
    this.publish(next);
  }

  private publish(next: Snapshot): void {
    const previous = this.snapshot;
    this.snapshot = next;
    for (const listener of this.snapshotListeners) listener(next, previous);
  }

  private setStatus(status: Status, error: WireError | null): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status, error);
  }
}

/** The token of console, display and hub links: `#token=…`, never sent in a URL. */
export function tokenFromFragment(): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  return params.get("token");
}

/** Keeps a renewed token in the fragment, so a reload uses it. */
export function storeTokenInFragment(token: string): void {
  history.replaceState(null, "", `${location.pathname}${location.search}#token=${encodeURIComponent(token)}`);
}

/** The pause before the send after `attempt` (0-based): doubling, capped, with a random part. */
function backoff(attempt: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  return ceiling * (0.75 + Math.random() * 0.25);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

/** `rows` replaces the rows of the same participants; new ones join the end (join order). */
function upsertRows(held: ParticipantRow[], rows: ParticipantRow[]): ParticipantRow[] {
  const index = new Map(held.map((row, i) => [row.participant_id, i]));
  const next = held.slice();
  for (const row of rows) {
    const at = index.get(row.participant_id);
    if (at === undefined) {
      index.set(row.participant_id, next.length);
      next.push(row);
    } else next[at] = row;
  }
  return next;
}
