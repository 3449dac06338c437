import { describe, expect, it } from "vitest";
import { formatWhen } from "../src/lib/dates";

describe("formatWhen", () => {
  it("writes a moment as on the pages, in the organization's zone", () => {
    expect(formatWhen("2026-12-08T00:30:00Z", "Asia/Seoul")).toBe("2026-12-08 09:30");
    expect(formatWhen("2026-12-08T00:30:00Z", "UTC")).toBe("2026-12-08 00:30");
    expect(formatWhen("2026-12-07T23:05:00Z", "Asia/Seoul")).toBe("2026-12-08 08:05");
  });

  it("uses a 24-hour clock and survives a bad zone or value", () => {
    expect(formatWhen("2026-06-01T15:00:00Z", "UTC")).toBe("2026-06-01 15:00");
    expect(formatWhen("2026-06-01T15:00:00Z", "Not/AZone")).toMatch(/^2026-06-0[12] \d\d:00$/);
    expect(formatWhen("", "UTC")).toBe("");
    expect(formatWhen("yesterday", "UTC")).toBe("yesterday");
  });
});
