// What every console panel needs: the connection, the page shell, the
// facilitator token (for report downloads) and a way to run a command.
import { tokenFromFragment, type Connection } from "../../connection";
import type { Ack, CommandName, Payload } from "../../protocol";
import type { Shell } from "../../shell";

export type Success<N extends CommandName> = Extract<Ack<N>, { ok: true }>;

export interface ConsoleContext {
  connection: Connection;
  shell: Shell;
  /** The facilitator token as of now (it is renewed while the console is open). */
  token(): string;
  /** Runs a command; a refusal is shown to the chair and resolves to null. */
  run<N extends CommandName>(name: N, payload: Payload<N>): Promise<Success<N> | null>;
}

export function consoleContext(connection: Connection, shell: Shell, token: string): ConsoleContext {
  return {
    connection,
    shell,
    token: () => tokenFromFragment() ?? token,
    async run(name, payload) {
      const ack = await connection.command(name, payload);
      if (ack.ok) return ack as Success<typeof name>;
      shell.showError(ack.error);
      return null;
    },
  };
}
