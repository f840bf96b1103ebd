/**
 * Draws the Teams app icons into manifest/ (run once, the PNGs are committed):
 * - color.png, 192x192: a white magnifier with an amber dot on a full-bleed blue square;
 * - outline.png, 32x32: the same magnifier in white on a transparent background.
 * Shapes are anti-aliased by 8x8 supersampling. Usage: `node scripts/draw-icons.js`.
 */
'use strict';

const { writeFileSync } = require('node:fs');
const path = require('node:path');
const { PNG } = require('pngjs');

const MANIFEST_DIR = path.resolve(__dirname, '..', 'manifest');
const SAMPLES = 8;

const BLUE = [0x1f, 0x4e, 0x79];
const WHITE = [0xff, 0xff, 0xff];
const AMBER = [0xf2, 0xa9, 0x00];

/** Distance from point p to the segment a–b. */
function distanceToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * The magnifier in a unit square: a ring and a round-capped handle towards the bottom right.
 * @returns {(x: number, y: number) => boolean} whether a point of [0,1]² is inside
 */
function magnifier() {
  const cx = 0.43;
  const cy = 0.43;
  const outer = 0.25;
  const inner = 0.175;
  return (x, y) => {
    const r = Math.hypot(x - cx, y - cy);
    const ring = r <= outer && r >= inner;
    const handle = distanceToSegment(x, y, 0.62, 0.62, 0.8, 0.8) <= 0.055;
    return ring || handle;
  };
}

/**
 * Renders layers (painted in order) into a PNG.
 * @param {number} size width and height in pixels
 * @param {{ shape: (x: number, y: number) => boolean, rgb: number[] }[]} layers shapes in unit coordinates
 * @param {number[] | undefined} background opaque background colour, or transparent when undefined
 */
function render(size, layers, background) {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let [r, g, b] = background ?? WHITE;
      let alpha = background ? 1 : 0;
      for (const { shape, rgb } of layers) {
        let hits = 0;
        for (let sy = 0; sy < SAMPLES; sy += 1) {
          for (let sx = 0; sx < SAMPLES; sx += 1) {
            if (shape((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size)) hits += 1;
          }
        }
        const coverage = hits / (SAMPLES * SAMPLES);
        if (coverage === 0) continue;
        if (background) {
          r += (rgb[0] - r) * coverage;
          g += (rgb[1] - g) * coverage;
          b += (rgb[2] - b) * coverage;
        } else {
          [r, g, b] = rgb;
          alpha = Math.max(alpha, coverage);
        }
      }
      const offset = (py * size + px) * 4;
      png.data[offset] = Math.round(r);
      png.data[offset + 1] = Math.round(g);
      png.data[offset + 2] = Math.round(b);
      png.data[offset + 3] = Math.round(alpha * 255);
    }
  }
  return PNG.sync.write(png, { colorType: 6 });
}

const lens = magnifier();
const dot = (x, y) => Math.hypot(x - 0.43, y - 0.43) <= 0.07;
writeFileSync(path.join(MANIFEST_DIR, 'color.png'), render(192, [{ shape: lens, rgb: WHITE }, { shape: dot, rgb: AMBER }], BLUE));
writeFileSync(path.join(MANIFEST_DIR, 'outline.png'), render(32, [{ shape: lens, rgb: WHITE }], undefined));
