/**
 * bench:scale's figure: panels of measurements against catalog size, both
 * axes logarithmic, each series labelled with its slope (1 = linear), drawn
 * as SVG and rendered to PNG by the Chromium the browser tests use.
 */
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { findBrowser, NO_BROWSER } from "./browser.ts";

export interface Series {
  label: string;
  /** [x, y] pairs; NaN or missing y values are left out. */
  points: [number, number][];
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const [WIDTH, HEIGHT, PAD] = [420, 320, 56];

/** Least-squares slope of log y against log x: the exponent of the growth. */
export function logLogSlope(points: [number, number][]): number {
  const usable = points.filter(([x, y]) => x > 0 && y > 0);
  if (usable.length < 2) return Number.NaN;
  const xs = usable.map(([x]) => Math.log(x));
  const ys = usable.map(([, y]) => Math.log(y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * ((ys[i] as number) - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

function panelSvg(panel: Panel, xLabel: string): string {
  const all = panel.series.flatMap((s) => s.points.filter(([x, y]) => x > 0 && y > 0));
  if (all.length === 0) return "";
  const decade = (v: number, round: (n: number) => number) => 10 ** round(Math.log10(v));
  const [x0, x1] = [
    decade(Math.min(...all.map(([x]) => x)), Math.floor),
    decade(Math.max(...all.map(([x]) => x)), Math.ceil),
  ];
  const [y0, y1] = [
    decade(Math.min(...all.map(([, y]) => y)), Math.floor),
    decade(Math.max(...all.map(([, y]) => y)), Math.ceil),
  ];
  const span = (a: number, b: number) => Math.max(Math.log10(b) - Math.log10(a), 1);
  const px = (x: number) =>
    PAD + ((Math.log10(x) - Math.log10(x0)) / span(x0, x1)) * (WIDTH - 2 * PAD);
  const py = (y: number) =>
    HEIGHT - PAD - ((Math.log10(y) - Math.log10(y0)) / span(y0, y1)) * (HEIGHT - 2 * PAD);
  const parts: string[] = [
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-weight="bold">${panel.title}</text>`,
  ];
  for (let v = x0; v <= x1 * 1.0001; v *= 10) {
    parts.push(
      `<line x1="${px(v)}" x2="${px(v)}" y1="${PAD - 10}" y2="${HEIGHT - PAD}" stroke="#ddd"/>`,
      `<text x="${px(v)}" y="${HEIGHT - PAD + 16}" text-anchor="middle">${v.toLocaleString("en")}</text>`,
    );
  }
  for (let v = y0; v <= y1 * 1.0001; v *= 10) {
    parts.push(
      `<line x1="${PAD}" x2="${WIDTH - PAD}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>`,
      `<text x="${PAD - 6}" y="${py(v) + 4}" text-anchor="end">${v.toLocaleString("en")}</text>`,
    );
  }
  parts.push(
    `<text x="${WIDTH / 2}" y="${HEIGHT - 12}" text-anchor="middle">${xLabel}</text>`,
    `<text transform="translate(14 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">${panel.unit}</text>`,
  );
  panel.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = s.points.filter(([x, y]) => x > 0 && y > 0);
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map(([x, y]) => `${px(x)},${py(y)}`).join(" ")}"/>`,
      ...points.map(([x, y]) => `<circle cx="${px(x)}" cy="${py(y)}" r="3.5" fill="${colour}"/>`),
      `<text x="${PAD + 8}" y="${PAD - 14 + i * 15}" fill="${colour}">${s.label} (slope ${logLogSlope(points).toFixed(2)})</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">${parts.join("")}</svg>`;
}

/** Renders the panels side by side into `file` (PNG); false when no browser is installed. */
export async function renderLogLogPlot(
  panels: Panel[],
  xLabel: string,
  file: string,
): Promise<boolean> {
  const executablePath = findBrowser();
  if (!executablePath) {
    console.log(`plot not drawn: ${NO_BROWSER}`);
    return false;
  }
  const html = `<body style="margin:0;display:flex;flex-wrap:wrap;width:${WIDTH * 2}px">${panels.map((p) => panelSvg(p, xLabel)).join("")}</body>`;
  const browser = await chromium.launch({ executablePath });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH * 2, height: HEIGHT } });
    await page.setContent(html);
    writeFileSync(file, await page.screenshot({ fullPage: true, type: "png" }));
  } finally {
    await browser.close();
  }
  return true;
}
