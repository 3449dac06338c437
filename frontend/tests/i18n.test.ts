import { describe, expect, it } from "vitest";
import { translator } from "../src/lib/i18n";

describe("Korean editor labels", () => {
  it("says 되돌리기 / 다시 하기 for undo and redo, not the words used for running a flow", () => {
    const { t } = translator("ko");
    expect(t("Undo")).toBe("되돌리기");
    expect(t("Redo")).toBe("다시 하기");
    for (const word of [t("Undo"), t("Redo")]) expect(word).not.toContain("실행");
  });
});
