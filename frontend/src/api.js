// Thin JSON client for the EZFlow REST API: session cookie + CSRF header, errors as {status, code, message, fields}.
let boot = null;

export function setBoot(value) {
  boot = value;
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "error";
    this.fields = error.fields || {};
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json", "Accept-Language": boot.language };
  const options = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  if (method !== "GET") headers["X-CSRFToken"] = boot.csrf_token;
  let response;
  try {
    response = await fetch(boot.api_base + path, options);
  } catch (exc) {
    throw new ApiError(0, { error: { code: "offline", message: null } });
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch (exc) {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const patch = (path, body) => api("PATCH", path, body);
