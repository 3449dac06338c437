// Keeping a step in sight: the viewport that shows a step inside the part of the canvas nothing covers (the side
// panel overlays the canvas on narrow screens and shrinks it on wide ones). Pure geometry, no DOM.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ViewportLike {
  x: number;
  y: number;
  zoom: number;
}

/** The canvas area left visible when `cover` (a panel in screen coordinates) lies over part of `canvas`. */
export function visibleArea(canvas: Box, cover: Box | null): Box {
  if (!cover) return canvas;
  const overlaps = cover.x < canvas.x + canvas.width && cover.x + cover.width > canvas.x && cover.y < canvas.y + canvas.height && cover.y + cover.height > canvas.y;
  if (!overlaps) return canvas;
  // A panel from the right edge leaves the part on its left; one from the left, the part on its right.
  const leftPart = cover.x - canvas.x;
  const rightPart = canvas.x + canvas.width - (cover.x + cover.width);
  if (leftPart >= rightPart) return { ...canvas, width: Math.max(0, leftPart) };
  return { ...canvas, x: cover.x + cover.width, width: Math.max(0, rightPart) };
}

export interface RevealOptions {
  /** Room kept around the step, in screen pixels. */
  margin?: number;
  /** Zoom in to at least this much (a failed step is shown readable); never zooms out. */
  minZoom?: number;
  maxZoom?: number;
  /** Centre the step even when it is already in sight. */
  centre?: boolean;
}

/**
 * The viewport that puts `node` (flow coordinates) inside `area` (relative to the canvas's own top left), or null
 * when it is already fully there at a good zoom. The canvas moves only as far as needed (the rest of the flow stays
 * where the person left it), or centres the step with `centre`.
 */
export function revealViewport(node: Box, area: Box, viewport: ViewportLike, options: RevealOptions = {}): ViewportLike | null {
  const margin = options.margin ?? 24;
  const maxZoom = options.maxZoom ?? 2;
  let zoom = viewport.zoom;
  if (options.minZoom && zoom < options.minZoom) zoom = Math.min(options.minZoom, maxZoom);
  // Too big for the area at this zoom: zoom out just enough.
  const fit = Math.min((area.width - 2 * margin) / Math.max(node.width, 1), (area.height - 2 * margin) / Math.max(node.height, 1));
  if (fit > 0 && zoom > fit) zoom = fit;
  if (options.centre) {
    const cx = area.x + area.width / 2;
    const cy = area.y + area.height / 2;
    return { x: cx - (node.x + node.width / 2) * zoom, y: cy - (node.y + node.height / 2) * zoom, zoom };
  }
  // Where the step would be at the new zoom with the same pan, and the shift that brings each side in.
  const shift = (start: number, size: number, from: number, length: number): number => {
    if (start < from + margin) return from + margin - start;
    if (start + size > from + length - margin) return Math.max(from + length - margin - (start + size), from + margin - start);
    return 0;
  };
  const left = node.x * zoom + viewport.x;
  const top = node.y * zoom + viewport.y;
  const dx = shift(left, node.width * zoom, area.x, area.width);
  const dy = shift(top, node.height * zoom, area.y, area.height);
  if (!dx && !dy && zoom === viewport.zoom) return null;
  return { x: viewport.x + dx, y: viewport.y + dy, zoom };
}
