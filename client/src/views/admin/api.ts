// The operator's calls: the admin token rides in a header, and lives in this
// tab's sessionStorage only (gone when the tab closes, never in a URL or a log).
import type { WireError } from "../../protocol";

const TOKEN_KEY = "plenary:admin-token";

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: the operator signs in again after a reload
  }
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: WireError,
  ) {
    super(error.message);
  }
}

/** A JSON call to the server; a refusal throws `ApiFailure` with the server's code and message. */
export async function call<T>(path: string, token: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, { code: "unavailable", message: "no answer" });
  }
  const answer = (await response.json().catch(() => null)) as (T & { error?: WireError }) | null;
  if (!response.ok || answer === null) {
    throw new ApiFailure(response.status, answer?.error ?? { code: "internal", message: response.statusText });
  }
  return answer;
}

export interface SessionLinks {
  join_code: string;
  urls: { join: string; console: string; display: string };
  hubs: { hub_id: string; name: string; url: string }[];
  commands: { export: string; verify: string };
  display_qr?: string;
}

export type SessionStatus = "open" | "closed" | "archived";

export interface SessionRow extends SessionLinks {
  session_id: string;
  title: string;
  created_at: number;
  status: SessionStatus;
  joined: number;
  propositions: number;
  languages: string[];
  stakeholder_groups: string[];
}

export interface SettingField {
  name: string;
  default: unknown;
  help: string;
  kind: "choice" | "integer" | "number" | "boolean" | "text" | "json" | "group";
  choices?: string[];
  min?: number;
  max?: number;
  fields?: SettingField[];
}

export interface SettingsInfo {
  settings: SettingField[];
  languages: string[];
  stakeholder_groups: string[];
  max_groups: number;
  max_title: number;
}
