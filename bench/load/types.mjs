// @ts-check
// Shapes shared by the coordinator, its workers and the Python harness.
// The harness passes a Plan as JSON and reads a Result as JSON; these
// typedefs are the one place that says what each holds.

/**
 * What the harness asks the coordinator to run.
 * @typedef {object} Plan
 * @property {"burst" | "session"} scenario
 * @property {string} target             a label only: "plenary", "bare" or "node"
 * @property {string} url                e.g. http://127.0.0.1:8100
 * @property {number} serverPid          whose /proc entries measure CPU and memory
 * @property {number} n                  participants
 * @property {number} workers            load-generator processes
 * @property {number} seed
 * @property {number} timeoutMs          every wait is bounded by this
 * @property {number} setupMs            bound on the hall's joins and connects, which grow with n
 * @property {Credentials} credentials
 * @property {SessionPlan} [session]     only for the session scenario
 * @property {number} [profilePauseMs]   burst: say "burst: ready" on stderr, wait, then burst
 */

/**
 * Who may do what: real tokens for Plenary; for the baselines, which accept
 * any token, strings naming the role and `joinCode` null.
 * @typedef {object} Credentials
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

/** @typedef {{type: "setup", url: string, seats: Seat[], credentials: Credentials, timeoutMs: number}} SetupMessage */
/** @typedef {{type: "burst", propositionId: string, values: string[]}} BurstMessage */
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
 * @property {number} sentAt
 * @property {number} ackedAt            NaN when no ack came in time
 * @property {boolean} ok
 * @property {Record<string, unknown> | null} ack
 */
/**
 * @typedef {object} Done
 * @property {"done"} type
 * @property {AckRecord[]} records
 * @property {number} cpuSeconds         this worker's own CPU during the step
 * @property {number} stateMessages      burst: `state` events its participants received
 */
/** @typedef {Ready | Done} FromWorker */

export {};
