// Measures the explorer with a large map: time until the page is ready, the time to draw one
// frame of the first map (waiting for WebGL to finish), and the interval between animation
// frames while panning and zooming, in headless Chromium.
//
// usage: UADSCOPE_URL=http://127.0.0.1:PORT/ node tests/pan_zoom_benchmark.mjs
//
// NOTE: with --disable-gpu, Chromium draws WebGL with SwiftShader on the CPU, so the frame
// times printed here are an upper bound for a machine with a GPU.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const url = process.env.UADSCOPE_URL;
if (!url) {
  console.error("pan_zoom_benchmark: set UADSCOPE_URL to the explorer's address");
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), "uadscope-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic"],
});
try {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1400, height: 800 });
  const start = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => window.uadscope && window.uadscope.ready(), null, { timeout: 300000 });
  const readyMs = Date.now() - start;
  const panels = await page.evaluate(() => window.uadscope.panels());
  await page.click('[data-panels="1"]');
  const rect = await page.evaluate(() => window.uadscope.canvasRect(0));

  // Record the time between animation frames while the mouse pans and the wheel zooms.
  await page.evaluate(() => {
    window.frameTimes = [];
    let last = performance.now();
    const tick = (now) => {
      window.frameTimes.push(now - last);
      last = now;
      if (window.frameTimes.length < 100000) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const cx = rect.x + rect.width / 2;
  const cy = rect.y + rect.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 0; i < 30; i++) await page.mouse.move(cx + 5 * i, cy + 3 * i);
  await page.mouse.up();
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, i % 2 ? 120 : -120);
  await page.waitForTimeout(300);
  const times = await page.evaluate(() => window.frameTimes.slice(2));
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const p95 = times[Math.floor(times.length * 0.95)];
  console.log(`points: ${panels[0].points}`);
  console.log(`page ready after ${readyMs} ms (${panels.length} maps loaded)`);
  for (const interacting of [false, true]) {
    const draws = [];
    for (let i = 0; i < 5; i++) {
      draws.push(await page.evaluate((moving) => window.uadscope.renderMilliseconds(0, moving), interacting));
    }
    draws.sort((a, b) => a - b);
    console.log(`one frame of map 0 (${interacting ? "subsample while moving" : "all points"}): median ${draws[2].toFixed(1)} ms over 5 draws`);
  }
  console.log(`frame interval while panning and zooming: median ${median.toFixed(1)} ms, 95th percentile ${p95.toFixed(1)} ms over ${times.length} frames`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
