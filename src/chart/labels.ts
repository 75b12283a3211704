/**
 * Text labels next to points without overlapping each other or leaving the plot: each label tries
 * a few places around its point (right, left, above, below) and takes the first that is free,
 * else the least crowded. Pure: pixel geometry in, offsets out. Text width is estimated (headless
 * vega has no canvas to measure it): 0.6 em per character, generous for DejaVu Sans.
 */

export interface Anchor {
  /** The point, in pixels from the plot's top left. */
  px: number;
  py: number;
  text: string;
}

export interface Placement {
  /** Where the text's anchor goes, relative to the point, in pixels. */
  dx: number;
  dy: number;
  align: 'left' | 'right' | 'center';
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const GAP = 7;

/** Candidate places around a point, in order of preference: beside it, then further up and down, then above and below. */
function candidates(fontPx: number): Placement[] {
  const h = fontPx * 1.25;
  const out: Placement[] = [];
  for (let k = 0; k < 5; k++) {
    const up = -0.45 * h - k * h;
    const down = 0.75 * h + k * h;
    out.push({ dx: GAP, dy: up, align: 'left' }, { dx: GAP, dy: down, align: 'left' }, { dx: -GAP, dy: up, align: 'right' }, { dx: -GAP, dy: down, align: 'right' });
  }
  out.push({ dx: 0, dy: -1.2 * h, align: 'center' }, { dx: 0, dy: 1.4 * h, align: 'center' });
  return out;
}

/** The box a label occupies at a placement (its text's baseline is at the anchor's middle). */
export function labelBox(a: Anchor, p: Placement, fontPx: number): Box {
  const w = a.text.length * fontPx * 0.6;
  const x = a.px + p.dx;
  const x0 = p.align === 'left' ? x : p.align === 'right' ? x - w : x - w / 2;
  const y = a.py + p.dy;
  return { x0, x1: x0 + w, y0: y - fontPx / 2, y1: y + fontPx / 2 };
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/**
 * Places labels in the order given (put the most important first): each takes the first candidate
 * inside the plot that overlaps no label placed before it and covers no point of `avoid`; failing
 * that, the candidate with the fewest such overlaps.
 */
export function placeLabels(anchors: Anchor[], size: { width: number; height: number }, fontPx = 10, avoid: { px: number; py: number }[] = []): Placement[] {
  const placed: Box[] = [];
  const dots: Box[] = avoid.map((d) => ({ x0: d.px - 3, x1: d.px + 3, y0: d.py - 3, y1: d.py + 3 }));
  return anchors.map((a) => {
    let best: { p: Placement; box: Box; cost: number } | undefined;
    for (const p of candidates(fontPx)) {
      const box = labelBox(a, p, fontPx);
      const outside = box.x0 < 0 || box.x1 > size.width || box.y0 < 0 || box.y1 > size.height ? 100 : 0;
      const cost = outside + 10 * placed.filter((b) => overlaps(b, box)).length + dots.filter((b) => overlaps(b, box)).length;
      if (!best || cost < best.cost) best = { p, box, cost };
      if (cost === 0) break;
    }
    placed.push(best!.box);
    return best!.p;
  });
}
