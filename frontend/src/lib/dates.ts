// One way to write a moment everywhere (issue 17): "2026-12-08 09:30" — year-month-day and a 24-hour clock — in the
// organization's time zone, whatever the browser's language or zone. Pages write the same shape
// (ezflow_site/formats/<language>/formats.py).

export function formatWhen(iso: string | null | undefined, timeZone?: string | null): string {
  if (!iso) return "";
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return String(iso);
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: timeZone || undefined,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(moment);
  } catch {
    return formatWhen(iso, null); // an unknown zone name: the browser's own
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}`;
}
