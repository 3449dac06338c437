// Thin JSON client for the EZFlow REST API: session cookie + CSRF header, errors as {status, code, message, fields}.
import type { Boot } from "../types/api";
import type { Problem } from "../types/graph";

type ApiBoot = Pick<Boot, "language" | "csrf_token" | "api_base"> & Partial<Pick<Boot, "time_zone">>;
let boot: ApiBoot | null = null;

export function setBoot(value: ApiBoot): void {
  boot = value;
}

/** The organization's time zone from the page (undefined before setBoot: the browser's own). */
export function bootTimeZone(): string | undefined {
  return boot?.time_zone;
}

export interface ApiErrorBody {
  error?: {
    code?: string;
    message?: string | null;
    fields?: Record<string, unknown>;
    problems?: Problem[];
    current_revision?: number;
  };
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

export class ApiError extends Error {
  status: number;
  code: string;
  fields: Record<string, unknown>;
  body: ApiErrorBody | null;

  constructor(status: number, body: unknown) {
    const parsed = isErrorBody(body) ? body : null;
    const error = (parsed && parsed.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "error";
    this.fields = error.fields || {};
    this.body = parsed;
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (!boot) throw new Error("setBoot() was not called");
  const headers: Record<string, string> = { Accept: "application/json", "Accept-Language": boot.language };
  const options: RequestInit = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  if (method !== "GET") headers["X-CSRFToken"] = boot.csrf_token;
  let response: Response;
  try {
    response = await fetch(boot.api_base + path, options);
  } catch {
    throw new ApiError(0, { error: { code: "offline", message: null } });
  }
  if (response.status === 204) return null as T;
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body: unknown = {}) => api<T>("POST", path, body);
export const patch = <T>(path: string, body: unknown) => api<T>("PATCH", path, body);
export const del = <T>(path: string) => api<T>("DELETE", path);
