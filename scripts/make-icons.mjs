#!/usr/bin/env node
// Renders the extension's toolbar and store icons (extension/public/icon/{16,32,48,128}.png):
// a white bank building (pediment, three columns, a step) on a rounded blue square.
//
// Each size gets its own SVG whose shapes are snapped to whole pixels, so the columns stay
// crisp even at 16 px. Drawn by Debian's Chromium through playwright-core with a transparent
// background. Run with `npm run icons`; the PNGs are committed, so the build does not need it.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const OUT_DIR = fileURLToPath(new URL('../extension/public/icon/', import.meta.url));
const SIZES = [16, 32, 48, 128];

/** The glyph on a 16-unit grid: [x, y, width, height] rectangles plus the roof. */
const GRID = 16;
const COLUMNS = [
  [3, 7, 2, 4],
  [7, 7, 2, 4],
  [11, 7, 2, 4],
];
const STEP = [2, 12, 12, 2];
// Roof: apex, then a one-unit flat band at the bottom so its lower edge is sharp.
const ROOF = [
  [8, 2],
  [14, 5],
  [14, 6],
  [2, 6],
  [2, 5],
];

/**
 * The SVG for one size. Small sizes fill the whole square (the toolbar shows 16 px, so
 * every pixel counts); 128 keeps a transparent margin as the Chrome Web Store asks.
 */
function iconSvg(size) {
  const inset = size >= 128 ? size / 16 : 0;
  const inner = size - 2 * inset;
  const k = inner / GRID;
  const px = (v) => Math.round(inset + v * k);
  const rect = ([x, y, w, h]) => {
    const x0 = px(x);
    const y0 = px(y);
    return `<rect x="${x0}" y="${y0}" width="${px(x + w) - x0}" height="${px(y + h) - y0}"/>`;
  };
  const roof = ROOF.map(([x, y]) => `${px(x)},${px(y)}`).join(' ');
  const radius = Math.max(3, Math.round(inner * 0.2));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#3b7af5"/>
      <stop offset="1" stop-color="#1d4ed8"/>
    </linearGradient>
  </defs>
  <rect x="${inset}" y="${inset}" width="${inner}" height="${inner}" rx="${radius}" fill="url(#bg)"/>
  <g fill="#ffffff">
    <polygon points="${roof}"/>
    ${COLUMNS.map(rect).join('\n    ')}
    ${rect(STEP)}
  </g>
</svg>`;
}

async function main() {
  await mkdir(OUT_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    for (const size of SIZES) {
      const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
      await page.setContent(
        `<!doctype html><html><head><style>html,body{margin:0;padding:0;background:transparent}svg{display:block}</style></head><body>${iconSvg(size)}</body></html>`,
      );
      const file = path.join(OUT_DIR, `${size}.png`);
      await page.screenshot({ path: file, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
      await page.close();
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
  } finally {
    await browser.close();
  }
}

await main();
