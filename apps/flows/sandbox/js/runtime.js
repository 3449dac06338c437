// EZFlow's JavaScript runtime for code steps and n8n-style expressions, loaded into a fresh V8 isolate after Luxon.
// It gives user code what n8n's Code node and expression editor give it ($input, $json, items, $('Node'), $node,
// $now, $today, DateTime, console...) and nothing of the host: the isolate has no process, require, files,
// network or timers. Written for EZFlow (not taken from n8n); the names follow n8n's documented contract.
"use strict";
(function (global) {
  for (const name of ["setTimeout", "clearTimeout", "__timer_manager", "WebAssembly", "SharedArrayBuffer", "Atomics"]) {
    try { delete global[name]; } catch (e) { /* not configurable: left, it reaches nothing */ }
  }
  const DateTime = luxon.DateTime, Duration = luxon.Duration, Interval = luxon.Interval;
  // n8n also accepts dt.plus(1, "week") and dt.minus(2, "days").
  for (const method of ["plus", "minus"]) {
    const original = DateTime.prototype[method];
    DateTime.prototype[method] = function (amount, unit) {
      return typeof amount === "number" && typeof unit === "string" ? original.call(this, { [unit]: amount }) : original.call(this, amount);
    };
  }
  // n8n's date extension: dt.format("yyyy-MM-dd") is Luxon's toFormat.
  if (!DateTime.prototype.format) {
    Object.defineProperty(DateTime.prototype, "format", {
      value: function (fmt, options) { return this.toFormat(fmt, options); }, writable: true, configurable: true, enumerable: false,
    });
  }
  const MAX_LOG_LINES = 500, MAX_LOG_CHARS = 100000;

  function define(proto, name, fn) {
    if (!Object.prototype.hasOwnProperty.call(proto, name)) {
      Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
    }
  }
  // A subset of n8n's data transformation functions (documented in docs/n8n.md).
  const S = String.prototype, A = Array.prototype, N = Number.prototype;
  define(S, "isEmpty", function () { return this.length === 0; });
  define(S, "isNotEmpty", function () { return this.length > 0; });
  define(S, "toTitleCase", function () { return this.toLowerCase().replace(/(^|[\s\-_])(\p{L})/gu, (m, a, b) => a + b.toUpperCase()); });
  define(S, "toSentenceCase", function () { const s = this.toLowerCase(); return s.charAt(0).toUpperCase() + s.slice(1); });
  define(S, "toSnakeCase", function () { return this.trim().replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[\s\-]+/g, "_").toLowerCase(); });
  define(S, "toNumber", function () { const n = Number(this); if (Number.isNaN(n)) throw new Error("Cannot convert to number: " + this); return n; });
  define(S, "toInt", function () { return parseInt(this, 10); });
  define(S, "toFloat", function () { return parseFloat(this); });
  define(S, "toBoolean", function () { return !["", "false", "0", "no", "n", "off"].includes(this.trim().toLowerCase()); });
  define(S, "toDateTime", function () { return DateTime.fromISO(String(this)); });
  define(S, "isEmail", function () { return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(this); });
  define(S, "isUrl", function () { return /^https?:\/\/[^\s/$.?#].[^\s]*$/i.test(this); });
  define(S, "isNumeric", function () { return this.trim() !== "" && !Number.isNaN(Number(this)); });
  define(S, "extractEmail", function () { const m = this.match(/[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"']+/); return m ? m[0] : undefined; });
  define(S, "extractDomain", function () {
    const s = String(this), at = s.lastIndexOf("@");
    if (at >= 0 && !s.includes("/")) return s.slice(at + 1);
    const m = s.match(/^(?:[a-z]+:\/\/)?(?:www\.)?([^/:?#]+)/i); return m ? m[1] : undefined;
  });
  define(S, "removeTags", function () { return this.replace(/<[^>]*>/g, ""); });
  define(S, "urlEncode", function () { return encodeURIComponent(this); });
  define(S, "urlDecode", function () { return decodeURIComponent(this); });
  define(S, "quote", function (mark) { const q = mark || '"'; return q + this.split(q).join("\\" + q) + q; });
  define(A, "first", function () { return this[0]; });
  define(A, "last", function () { return this[this.length - 1]; });
  define(A, "isEmpty", function () { return this.length === 0; });
  define(A, "isNotEmpty", function () { return this.length > 0; });
  define(A, "pluck", function (...keys) {
    return this.map((v) => (keys.length === 1 ? v && v[keys[0]] : Object.fromEntries(keys.map((k) => [k, v && v[k]]))));
  });
  define(A, "sum", function () { return this.reduce((a, b) => a + Number(b), 0); });
  define(A, "average", function () { return this.length ? this.sum() / this.length : NaN; });
  define(A, "max", function () { return Math.max(...this); });
  define(A, "min", function () { return Math.min(...this); });
  define(A, "unique", function () { const seen = new Set(); return this.filter((v) => { const k = JSON.stringify(v); if (seen.has(k)) return false; seen.add(k); return true; }); });
  define(A, "compact", function () { return this.filter((v) => v !== null && v !== undefined && v !== ""); });
  define(A, "chunk", function (n) { const out = []; for (let i = 0; i < this.length; i += n) out.push(this.slice(i, i + n)); return out; });
  define(N, "round", function (digits) { const f = Math.pow(10, digits || 0); return Math.round(this * f) / f; });
  define(N, "floor", function () { return Math.floor(this); });
  define(N, "ceil", function () { return Math.ceil(this); });
  define(N, "toBoolean", function () { return this.valueOf() !== 0; });
  define(N, "isEven", function () { return this % 2 === 0; });
  define(N, "isOdd", function () { return Math.abs(this % 2) === 1; });
  define(N, "format", function (locale, options) { return new Intl.NumberFormat(locale || "en-US", options).format(this); });

  function fail(message) { const e = new Error(message); e.ezflow = true; throw e; }

  // A small part of Node's Buffer, which n8n Code nodes use to encode text: from(text or bytes, encoding),
  // toString(utf8 | base64 | base64url | hex | latin1), byteLength, isBuffer, concat. Bytes only, no file or stream.
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function utf8Bytes(text) {
    const binary = unescape(encodeURIComponent(String(text)));
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  function latin1(bytes) { let out = ""; for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]); return out; }
  function base64Of(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < bytes.length ? B64[n & 63] : "=");
    }
    return out;
  }
  function bytesOfBase64(text) {
    const clean = String(text).replace(/-/g, "+").replace(/_/g, "/").replace(/[^A-Za-z0-9+/]/g, "");
    const out = [];
    for (let i = 0; i < clean.length; i += 4) {
      const n = (B64.indexOf(clean[i]) << 18) | (B64.indexOf(clean[i + 1]) << 12) | ((B64.indexOf(clean[i + 2]) & 63) << 6) | (B64.indexOf(clean[i + 3]) & 63);
      out.push((n >> 16) & 255);
      if (i + 2 < clean.length) out.push((n >> 8) & 255);
      if (i + 3 < clean.length) out.push(n & 255);
    }
    return out;
  }
  class Buffer extends Uint8Array {
    static from(value, encoding) {
      const kind = String(encoding || "utf8").toLowerCase();
      if (typeof value === "string") {
        if (kind === "base64" || kind === "base64url") return new Buffer(bytesOfBase64(value));
        if (kind === "hex") return new Buffer((value.match(/../g) || []).map((h) => parseInt(h, 16)));
        if (kind === "latin1" || kind === "binary" || kind === "ascii") return new Buffer([...value].map((c) => c.charCodeAt(0) & 255));
        return new Buffer(utf8Bytes(value));
      }
      return new Buffer(Array.from(value || []));
    }
    static byteLength(value, encoding) { return Buffer.from(value, encoding).length; }
    static isBuffer(value) { return value instanceof Buffer; }
    static concat(list) { return new Buffer(list.reduce((all, b) => all.concat(Array.from(b)), [])); }
    toString(encoding) {
      const kind = String(encoding || "utf8").toLowerCase();
      if (kind === "base64") return base64Of(this);
      if (kind === "base64url") return base64Of(this).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      if (kind === "hex") return Array.from(this, (b) => b.toString(16).padStart(2, "0")).join("");
      if (kind === "latin1" || kind === "binary" || kind === "ascii") return latin1(this);
      try { return decodeURIComponent(escape(latin1(this))); } catch (e) { return latin1(this); }
    }
    toJSON() { return { type: "Buffer", data: Array.from(this) }; }
  }
  global.Buffer = Buffer;

  function wrap(list) { return (list || []).map((json, index) => ({ json: json, pairedItem: { item: index } })); }

  function nodeAccess(request, name, index) {
    const list = (request.nodes || {})[name];
    if (list === undefined) fail(`Referenced node "${name}" does not exist or has not run yet`);
    const items = wrap(list);
    const at = items.length ? items[Math.min(index, items.length - 1)] : undefined;
    return {
      all: () => items, first: () => items[0], last: () => items[items.length - 1],
      item: at, itemMatching: (i) => items[i], isExecuted: true, params: {},
      json: at ? at.json : {}, runIndex: 0, context: {},
    };
  }

  // n8n's $getWorkflowStaticData: the flow's saved state (request.meta.static), one object per kind for the whole
  // request, so that changes made for one item are seen by the next; what was asked for goes back with the result.
  let staticState = null;
  function staticData(request, kind) {
    if (staticState === null) {
      const given = (request.meta || {}).static || {};
      staticState = { given: given, used: {} };
    }
    const key = String(kind) === "node" ? "node" : String(kind) === "global" ? "global" : fail(`$getWorkflowStaticData takes "global" or "node", not "${kind}"`);
    if (!(key in staticState.used)) {
      const saved = staticState.given[key];
      staticState.used[key] = saved !== null && typeof saved === "object" && !Array.isArray(saved) ? saved : {};
    }
    return staticState.used[key];
  }

  function context(request, items, index) {
    const wrapped = wrap(items);
    const current = wrapped[index] || { json: {} };
    const meta = request.meta || {};
    const now = meta.now ? DateTime.fromISO(meta.now, { setZone: true }) : DateTime.now();
    const nodeProxy = new Proxy({}, { get: (target, key) => (typeof key === "string" ? nodeAccess(request, key, index) : undefined) });
    const $input = { all: () => wrapped, first: () => wrapped[0], last: () => wrapped[wrapped.length - 1], item: current, params: {}, context: { noItemsLeft: false } };
    const vars = Object.freeze({ ...(meta.vars || {}) });
    const ctx = {
      $input: $input,
      $json: current.json,
      $binary: {},
      $itemIndex: index,
      $runIndex: 0,
      $position: index,
      items: wrapped,
      item: current,
      $: (name) => nodeAccess(request, String(name), index),
      $node: nodeProxy,
      $items: (name) => (name === undefined ? wrapped : nodeAccess(request, String(name), index).all()),
      $now: now,
      $today: now.startOf("day"),
      $workflow: Object.freeze({ id: meta.flow_id || "", name: meta.flow_name || "", active: true }),
      $execution: Object.freeze({ id: meta.run_id || "", mode: "production", resumeUrl: "", customData: { set() {}, get() {} } }),
      $vars: vars,
      $env: vars,
      $prevNode: Object.freeze({ name: meta.prev_node || "", outputIndex: 0, runIndex: 0 }),
      $parameter: {},
      $if: (condition, a, b) => (condition ? a : b),
      $getWorkflowStaticData: (kind) => staticData(request, kind),
      $ifEmpty: (value, fallback) => (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length) || (typeof value === "object" && value && !Array.isArray(value) && !Object.keys(value).length) ? fallback : value),
      $min: (...v) => Math.min(...v),
      $max: (...v) => Math.max(...v),
      DateTime: DateTime,
      Duration: Duration,
      Interval: Interval,
    };
    ctx.$evaluateExpression = (expression) => {
      const text = String(expression);
      return evaluateTemplate(text.startsWith("=") ? text.slice(1) : text, ctx, Object.keys(ctx));
    };
    return ctx;
  }

  const logs = [];
  let logChars = 0;
  function show(value) {
    if (typeof value === "string") return value;
    try { return JSON.stringify(value, plain); } catch (e) { return String(value); }
  }
  function log(...args) {
    if (logs.length >= MAX_LOG_LINES || logChars >= MAX_LOG_CHARS) return;
    const line = args.map(show).join(" ").slice(0, 10000);
    logChars += line.length;
    logs.push(line);
  }
  global.console = Object.freeze({ log: log, info: log, warn: log, error: log, debug: log });

  function plain(key, value) { return typeof value === "bigint" ? value.toString() : value; }
  const AsyncFunction = (async function () {}).constructor;

  function outputItem(value, where) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      if (value.json !== null && typeof value.json === "object" && !Array.isArray(value.json)) return value.json;
      return value;
    }
    fail(`The code must return objects (or { json: object }); ${where} is ${Array.isArray(value) ? "an array" : typeof value}`);
  }

  function normalise(result, mode) {
    if (mode === "each") {
      if (result === undefined || result === null) return [];
      if (Array.isArray(result)) return result.map((v, i) => outputItem(v, `item ${i}`));
      return [outputItem(result, "the returned value")];
    }
    if (result === undefined) fail("The code returned nothing: return an array of objects, one for each item to output");
    if (Array.isArray(result)) return result.map((v, i) => outputItem(v, `item ${i}`));
    return [outputItem(result, "the returned value")];
  }

  const state = { done: false, value: undefined, error: undefined };

  function errorText(error) {
    if (error && typeof error === "object" && "message" in error) {
      const line = String(error.stack || "").match(/<code>:(\d+)/);
      return { error: `${error.name || "Error"}: ${error.message}` + (line ? ` (line ${Number(line[1]) - 3})` : ""), user: true };
    }
    return { error: "Error: " + show(error), user: true };
  }

  // Runs a Code step: `request` = {code, mode, items, nodes, meta}. The result is read with __ezflowResult().
  global.__ezflowRunCode = function (requestText) {
    const request = JSON.parse(requestText);
    const items = request.items || [];
    let compiled;
    const names = Object.keys(context(request, items, 0));
    try {
      compiled = new AsyncFunction(...names, "{\n" + request.code + "\n}\n//# sourceURL=<code>");
    } catch (error) {
      state.done = true; state.error = errorText(error); return;
    }
    const runOne = (index) => { const ctx = context(request, items, index); return compiled.apply(undefined, names.map((n) => ctx[n])); };
    let promise;
    if (request.mode === "each") {
      promise = (async () => {
        const out = [];
        for (let i = 0; i < items.length; i++) out.push(...normalise(await runOne(i), "each"));
        return out;
      })();
    } else {
      promise = runOne(0).then((result) => normalise(result, "all"));
    }
    promise.then((value) => { state.done = true; state.value = value; }, (error) => { state.done = true; state.error = errorText(error); });
  };

  function findSegments(template) {
    // "{{ a }} text {{ b }}" into pieces; the end of an expression is the first "}}" where the code inside parses.
    const parts = [];
    let at = 0;
    while (at < template.length) {
      const open = template.indexOf("{{", at);
      if (open < 0) { parts.push({ text: template.slice(at) }); break; }
      if (open > at) parts.push({ text: template.slice(at, open) });
      let close = template.indexOf("}}", open + 2), code = null;
      while (close >= 0) {
        const inner = template.slice(open + 2, close);
        try { new Function("return (" + inner + "\n);"); code = inner; break; } catch (e) { close = template.indexOf("}}", close + 1); }
      }
      if (code === null) {
        const rest = template.indexOf("}}", open + 2);
        if (rest < 0) { parts.push({ text: template.slice(open) }); break; }
        parts.push({ code: template.slice(open + 2, rest), broken: true });
        at = rest + 2;
      } else {
        parts.push({ code: code });
        at = close + 2;
      }
    }
    return parts;
  }

  function asText(value) {
    if (value === undefined || value === null) return "";
    if (typeof value === "string") return value;
    if (DateTime.isDateTime(value)) return value.toISO();
    if (typeof value === "object") return JSON.stringify(value, plain);
    return String(value);
  }

  const compiledExpressions = new Map();
  function expressionFunction(code, names) {
    let fn = compiledExpressions.get(code);
    if (!fn) {
      try { fn = new Function(...names, "return (" + code + "\n);"); }
      catch (e) { fn = new Function(...names, code); }
      compiledExpressions.set(code, fn);
    }
    return fn;
  }

  function evaluateTemplate(template, ctx, names) {
    const parts = findSegments(template);
    const values = names.map((n) => ctx[n]);
    const run = (part) => {
      if (part.broken) fail(`This expression is not valid JavaScript: {{${part.code}}}`);
      return expressionFunction(part.code, names).apply(undefined, values);
    };
    const codeParts = parts.filter((p) => p.code !== undefined);
    if (codeParts.length === 1 && parts.every((p) => p.code !== undefined || p.text.trim() === "")) {
      let value = run(codeParts[0]);
      if (DateTime.isDateTime(value)) value = value.toISO();
      return value;
    }
    return parts.map((p) => (p.code !== undefined ? asText(run(p)) : p.text)).join("");
  }

  function resolve(value, ctx, names, path, errors) {
    if (typeof value === "string") {
      if (!value.startsWith("=")) return value;
      try { return JSON.parse(JSON.stringify(evaluateTemplate(value.slice(1), ctx, names), plain) ?? "null"); }
      catch (error) { errors.push({ path: path, error: errorText(error).error }); return null; }
    }
    if (Array.isArray(value)) return value.map((v, i) => resolve(v, ctx, names, `${path}[${i}]`, errors));
    if (value !== null && typeof value === "object") {
      const out = {};
      for (const key of Object.keys(value)) out[key] = resolve(value[key], ctx, names, path ? `${path}.${key}` : key, errors);
      return out;
    }
    return value;
  }

  // Evaluates n8n-dialect parameters (strings starting with "=") for each item: request = {params, items, nodes, meta,
  // indexes}. The result: one {params, errors} per index.
  global.__ezflowEvaluate = function (requestText) {
    const request = JSON.parse(requestText);
    const items = request.items || [];
    const indexes = request.indexes || items.map((_, i) => i);
    const names = Object.keys(context(request, items, 0));
    const out = [];
    for (const index of indexes.length ? indexes : [0]) {
      const ctx = context(request, items, index);
      const errors = [];
      out.push({ params: resolve(request.params, ctx, names, "", errors), errors: errors });
    }
    state.done = true;
    state.value = out;
  };

  global.__ezflowResult = function () {
    if (!state.done) return JSON.stringify({ ok: false, error: "The code did not finish: it waited for something that never happened", logs: logs });
    if (state.error) return JSON.stringify({ ok: false, error: state.error.error, logs: logs });
    const answer = { ok: true, result: state.value, logs: logs };
    if (staticState !== null) answer.static = staticState.used;
    return JSON.stringify(answer, plain);
  };
})(globalThis);
