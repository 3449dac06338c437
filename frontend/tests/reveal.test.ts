// Issue 17: the side panel never hides the step it edits, and a failed step is brought into sight readable.
import { describe, expect, it } from "vitest";
import { revealViewport, visibleArea } from "../src/lib/reveal";

const CANVAS = { x: 260, y: 50, width: 1340, height: 900 };

describe("visibleArea", () => {
  it("leaves the part left of a panel lying over the canvas's right side", () => {
    expect(visibleArea(CANVAS, { x: 1220, y: 50, width: 380, height: 900 })).toEqual({ x: 260, y: 50, width: 960, height: 900 });
  });
  it("ignores a panel beside the canvas (wide screens shrink the canvas instead)", () => {
    expect(visibleArea({ ...CANVAS, width: 960 }, { x: 1220, y: 50, width: 380, height: 900 })).toEqual({ ...CANVAS, width: 960 });
  });
  it("leaves the right part when the cover is on the left", () => {
    expect(visibleArea(CANVAS, { x: 260, y: 50, width: 260, height: 900 })).toEqual({ x: 520, y: 50, width: 1080, height: 900 });
  });
});

describe("revealViewport", () => {
  const area = { x: 0, y: 0, width: 960, height: 900 };
  const step = { x: 1000, y: 100, width: 180, height: 56 };

  it("moves a step hidden behind the panel just inside what is left, at the same zoom", () => {
    const viewport = { x: 0, y: 0, zoom: 1 };
    const next = revealViewport(step, area, viewport);
    expect(next).toEqual({ x: 960 - 24 - 1180, y: 0, zoom: 1 }); // only sideways, only as far as needed
    const left = step.x * next!.zoom + next!.x;
    expect(left).toBeGreaterThanOrEqual(24);
    expect(left + step.width).toBeLessThanOrEqual(960 - 24);
  });

  it("moves a step above the area down into it", () => {
    expect(revealViewport({ x: 100, y: -200, width: 180, height: 56 }, area, { x: 0, y: 0, zoom: 1 })).toEqual({ x: 0, y: 224, zoom: 1 });
  });

  it("leaves the canvas alone when the step is already in sight", () => {
    expect(revealViewport({ ...step, x: 300 }, area, { x: 0, y: 0, zoom: 1 })).toBeNull();
  });

  it("zooms in on a failed step seen from far away, and centres it even when it was in sight", () => {
    const next = revealViewport({ ...step, x: 300 }, area, { x: 0, y: 0, zoom: 0.3 }, { minZoom: 0.8, centre: true });
    expect(next!.zoom).toBe(0.8);
    expect((300 + 90) * 0.8 + next!.x).toBeCloseTo(480);
  });

  it("zooms out just enough for a step larger than the area (a big sticky note)", () => {
    const next = revealViewport({ x: 0, y: 0, width: 2000, height: 100 }, area, { x: 0, y: 0, zoom: 1 });
    expect(next!.zoom).toBeCloseTo((960 - 48) / 2000);
  });
});
