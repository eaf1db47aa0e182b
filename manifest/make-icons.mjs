// Writes the app icons (PNG) with nothing but Node's zlib: a white check mark on a teal square.
// Run: node manifest/make-icons.mjs. The PNGs are committed; rerun only when the mark changes.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const TEAL = [15, 118, 110];
const WHITE = [255, 255, 255];
/** Samples per pixel side: 4×4 supersampling gives smooth edges without a graphics library. */
const SS = 4;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** RGBA pixels (size × size × 4) → PNG bytes (colour type 6, 8 bits, filter 0 on every row). */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const row = size * 4 + 1;
  const raw = Buffer.alloc(size * row);
  for (let y = 0; y < size; y++) {
    raw[y * row] = 0;
    rgba.copy(raw, y * row + 1, y * size * 4, (y + 1) * size * 4);
  }
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * The check mark in unit coordinates (0..1 of the square), scaled by `scale` around the centre:
 * maskable icons keep the mark inside the central safe zone (a circle of 80 % of the side).
 */
function insideCheck(u, v, scale) {
  const x = 0.5 + (u - 0.5) / scale;
  const y = 0.5 + (v - 0.5) / scale;
  const a = [0.24, 0.52];
  const b = [0.42, 0.7];
  const c = [0.77, 0.31];
  const half = 0.065;
  return distanceToSegment(x, y, a, b) <= half || distanceToSegment(x, y, b, c) <= half;
}

/** Rounded corners for the normal icon; the maskable one fills the square (the OS masks it). */
function insideSquare(u, v, radius) {
  const cx = Math.min(Math.max(u, radius), 1 - radius);
  const cy = Math.min(Math.max(v, radius), 1 - radius);
  return Math.hypot(u - cx, v - cy) <= radius;
}

function drawIcon(size, { maskable }) {
  const rgba = Buffer.alloc(size * size * 4);
  const scale = maskable ? 0.72 : 1;
  const radius = maskable ? 0 : 0.18;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let white = 0;
      let teal = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const u = (x + (sx + 0.5) / SS) / size;
          const v = (y + (sy + 0.5) / SS) / size;
          if (!insideSquare(u, v, radius)) continue;
          if (insideCheck(u, v, scale)) white++;
          else teal++;
        }
      }
      // Outside the rounded square the icon is transparent; edge pixels get partial alpha.
      const covered = white + teal;
      const i = (y * size + x) * 4;
      for (let ch = 0; ch < 3; ch++) {
        const sum = white * WHITE[ch] + teal * TEAL[ch];
        rgba[i + ch] = covered ? Math.round(sum / covered) : 0;
      }
      rgba[i + 3] = Math.round((255 * covered) / (SS * SS));
    }
  }
  return encodePng(size, rgba);
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'icons');
const icons = [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
];
for (const [name, size, maskable] of icons) {
  writeFileSync(join(dir, name), drawIcon(size, { maskable }));
  console.info(`wrote manifest/icons/${name}`);
}
