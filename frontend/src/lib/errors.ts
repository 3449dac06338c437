// An API failure in words for the person: the server's message and its field messages, or a general sentence.
import { ApiError } from "./api";
import type { Translate } from "./i18n";

export type ErrorText = (exc: unknown) => string;

export function errorTextOf(t: Translate): ErrorText {
  return (exc) => {
    if (exc instanceof ApiError && exc.code === "offline") return t("You are offline. Your changes are kept here and saved when you are back online.");
    if (exc instanceof ApiError && exc.message) {
      const details = Object.values(exc.fields || {})
        .flat()
        .map((f) => (f && typeof f === "object" && "message" in f && typeof f.message === "string" ? f.message : ""))
        .filter(Boolean);
      return [exc.message, ...details].join(" ");
    }
    return t("Something went wrong. Please try again.");
  };
}

/** Every message in an API error's fields, however nested ({"data": {"url": [...]}}). */
export function fieldMessages(fields: unknown): string[] {
  const messages: string[] = [];
  const collect = (v: unknown): void => {
    if (!v) return;
    if (typeof v === "string") messages.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (typeof v === "object") {
      if ("message" in v && typeof v.message === "string" && v.message) messages.push(v.message);
      else Object.values(v).forEach(collect);
    }
  };
  collect(fields);
  return messages;
}
