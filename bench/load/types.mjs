// @ts-check
// Shapes shared by the coordinator, its workers and the Python harness.
// The harness passes a Plan as JSON and reads a Result as JSON; these
// typedefs are the one place that says what each holds.

/**
 * What the harness asks the coordinator to run.
 * @typedef {object} Plan
 * @property {"burst" | "session" | "takeover"} scenario
 * @property {string} target             a label only: "plenary", "bare", "node" or "redis"
 * @property {Placement} placement       which server each client talks to
 * @property {number[]} serverPids       whose /proc entries measure CPU and memory (summed)
 * @property {number | null} redisPid    the `redis` target's redis-server, measured apart
 * @property {number} n                  participants
 * @property {number} workers            load-generator processes
 * @property {number} seed
 * @property {number} timeoutMs          every wait is bounded by this
 * @property {number} setupMs            bound on the hall's joins and connects, which grow with n
 * @property {Credentials} credentials
 * @property {SessionPlan} [session]     only for the session scenario
 * @property {TakeoverPlan} [takeover]   only for the takeover scenario
 * @property {number} [profilePauseMs]   burst (session): say "burst: ready" ("session: ready") on stderr, wait, then start
 */

/**
 * Where each client connects (base URLs such as http://127.0.0.1:8100). One
 * server: the same URL everywhere. Several workers: phones dealt round-robin
 * over `phones` (seat i on phones[i % length]), the display on a worker that
 * does not own the session.
 * @typedef {object} Placement
 * @property {string[]} phones
 * @property {string} facilitator
 * @property {string} display
 * @property {string[]} hubs             hub k on hubs[k % length]
 */

/**
 * The owner of the session is killed (SIGKILL) in the middle of a burst.
 * @typedef {object} TakeoverPlan
 * @property {number} killPid            the worker holding the session's lease
 * @property {number} killAtShare        killed once the display counts this share of the hall
 * @property {string[]} probes           one probe phone on each of these (the other workers)
 * @property {number} probeEveryMs       a probe resends this long after a refusal
 */

/**
 * Who may do what: real tokens for Plenary; for the baselines, which accept
 * any token, strings naming the role and `joinCode` null.
 * @typedef {object} Credentials
 * @property {string | null} sessionId
 * @property {string} facilitatorToken
 * @property {string} displayToken
 * @property {string | null} joinCode    null: participants use `participant:<i>` tokens
 * @property {string[]} propositionIds
 * @property {boolean} spreadAddresses   join from one loopback address per participant
 */

/**
 * The compressed hour.
 * @typedef {object} SessionPlan
 * @property {number} durationMs         about how long the whole session runs
 * @property {number} hubs               remote hubs invited
 * @property {number} hubAttendance      each hub's declared attendance
 */

/**
 * One participant as a worker knows it.
 * @typedef {object} Seat
 * @property {number} index
 * @property {string} group
 * @property {"in_room" | "remote"} channel
 */

/** @typedef {{type: "setup", urls: string[], seats: Seat[], credentials: Credentials, timeoutMs: number}} SetupMessage */
/**
 * Every participant rates at once. With `resend`, a rating answered
 * `unavailable` or not at all is sent again with the same request_id after
 * 1, 2, 4, then every 8 s, as phones do, from another server if its own is
 * gone, until `timeoutMs` has passed.
 * @typedef {{type: "burst", propositionId: string, values: string[], resend?: boolean}} BurstMessage
 */
/**
 * A wave: each chosen participant acts once at a random moment within the window.
 * @typedef {object} WaveMessage
 * @property {"wave"} type
 * @property {WaveAction[]} actions
 */
/**
 * @typedef {object} WaveAction
 * @property {number} seat               index into the worker's seats
 * @property {string} key                echoed in the AckRecord, to match it up
 * @property {number} atMs               delay from the wave's start
 * @property {string} event              e.g. "rating:submit", "hand:raise", "hand:lower"
 * @property {Record<string, unknown>} payload
 */
/** @typedef {{type: "close"}} CloseMessage */
/** @typedef {SetupMessage | BurstMessage | WaveMessage | CloseMessage} ToWorker */

/**
 * @typedef {object} Ready
 * @property {"ready"} type
 * @property {number} connected
 * @property {number} failed
 * @property {string[]} errors           a few samples, for the report
 * @property {number} joinMs
 * @property {number} connectMs
 */
/**
 * One command's round trip, in wall-clock milliseconds.
 * @typedef {object} AckRecord
 * @property {number} seat
 * @property {string} [key]
 * @property {string} event
 * @property {string} requestId          sent with the command; Plenary records it in the log
 * @property {number} sentAt             the first send
 * @property {number} ackedAt            NaN when no ack came in time
 * @property {boolean} ok
 * @property {Record<string, unknown> | null} ack
 * @property {number} [attempts]         sends, when resent
 * @property {number} [lastSentAt]       the last send, when resent
 */
/**
 * @typedef {object} Done
 * @property {"done"} type
 * @property {AckRecord[]} records
 * @property {number} cpuSeconds         this worker's own CPU during the step
 * @property {number} stateMessages      `state` events its participants received
 * @property {number} placeMessages      of those, the ones carrying the phone's own `place`
 */
/** @typedef {Ready | Done} FromWorker */

export {};
