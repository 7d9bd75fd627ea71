// Browser tests of the explorer with Playwright and Debian's Chromium (no browser download).
//
// Environment:
//   UADSCOPE_URL          explorer served by `uadscope serve` (required)
//   UADSCOPE_EXPORT_HTML  page written by the static export, tested too when given
//   UADSCOPE_SCREENSHOTS  folder for screenshots (optional)
//   CHROMIUM              browser binary, default /usr/bin/chromium
//
// Prints one line per check and "N passed, M failed"; exits 1 when a check failed.

import { mkdtempSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const url = process.env.UADSCOPE_URL;
const exportHtml = process.env.UADSCOPE_EXPORT_HTML;
const screenshots = process.env.UADSCOPE_SCREENSHOTS;
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!url) {
  console.error("browser.test: set UADSCOPE_URL to the explorer's address");
  process.exit(2);
}
if (screenshots) mkdirSync(screenshots, { recursive: true });

let passed = 0;
let failed = 0;
function check(name, condition, detail = "") {
  if (condition) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail ? ": " + detail : ""}`);
  }
}

async function shot(page, name) {
  if (screenshots) await page.screenshot({ path: join(screenshots, `${name}.png`) });
}

// Counts pixels of a PNG screenshot of one map that differ clearly from the dark background,
// by drawing the image into a canvas inside the page.
async function brightPixels(page, png) {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, image.width, image.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.max(data[i], data[i + 1], data[i + 2]) > 80) count++;
    }
    return count;
  }, png.toString("base64"));
}

async function waitReady(page) {
  await page.waitForFunction(() => window.uadscope && window.uadscope.ready(), null, { timeout: 60000 });
  return page.evaluate(() => window.uadscope.error());
}

function watchConsole(page) {
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  return errors;
}

async function mapRenders(page, slot, label) {
  const rect = await page.evaluate((s) => window.uadscope.canvasRect(s), slot);
  const png = await page.screenshot({ clip: rect });
  const bright = await brightPixels(page, png);
  check(`${label}: map ${slot} renders points`, bright > 300, `${bright} bright pixels`);
}

async function testLive(context) {
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 1500, height: 860 });
  await page.goto(url);
  const error = await waitReady(page);
  check("page loads without an explorer error", error === null, error ?? "");
  await page.waitForTimeout(500);
  const panels = await page.evaluate(() => window.uadscope.panels());
  check("two maps are shown", panels.length === 2 && panels.every((p) => p.points > 0), JSON.stringify(panels));
  await shot(page, "live-initial");
  await mapRenders(page, 0, "live");
  await mapRenders(page, 1, "live");

  // Hover over an isolated point: the tooltip names its file.
  const point = await page.evaluate(() => window.uadscope.isolatedPoint(0));
  const position = await page.evaluate((p) => window.uadscope.pointPosition(0, p), point);
  await page.mouse.move(position.x - 20, position.y - 20);
  await page.mouse.move(position.x, position.y, { steps: 4 });
  await page.waitForSelector("#tooltip:not([hidden])", { timeout: 5000 }).catch(() => null);
  const tooltip = await page.evaluate(() => {
    const element = document.getElementById("tooltip");
    return element.hidden ? "" : element.textContent;
  });
  check("hovering a point shows the tooltip", /\.wav/.test(tooltip) && /time/.test(tooltip), tooltip.slice(0, 200));
  await shot(page, "live-hover");

  // Clicking the point plays its span: the audio element's time advances.
  await page.mouse.click(position.x, position.y);
  const started = await page.waitForFunction(() => {
    const audio = document.getElementById("audio");
    return audio.src.includes("/audio/") && audio.currentTime > 0.05;
  }, null, { timeout: 15000 }).then(() => true).catch(() => false);
  const audioState = await page.evaluate(() => {
    const audio = document.getElementById("audio");
    return { src: audio.src, time: audio.currentTime, error: audio.error && audio.error.message, now: document.getElementById("now-playing").textContent };
  });
  check("clicking a point plays its span", started, JSON.stringify(audioState));
  const details = await page.evaluate(() => document.getElementById("details").textContent);
  check("details show the clicked point", /\.wav/.test(details), details.slice(0, 120));
  await page.waitForSelector(".neighbor-list li, #neighbors p", { timeout: 10000 }).catch(() => null);
  const neighbors = await page.evaluate(() => document.getElementById("neighbors").textContent);
  check("neighbour panel lists frames", /frame \d+/.test(neighbors) || /None of the/.test(neighbors), neighbors.slice(0, 120));

  // Box selection in the first map highlights linked points in the second.
  await page.click('[data-tool="box"]');
  const rect = await page.evaluate(() => window.uadscope.canvasRect(0));
  const x0 = rect.x + rect.width * 0.2;
  const y0 = rect.y + rect.height * 0.2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + rect.width * 0.3, y0 + rect.height * 0.3, { steps: 6 });
  await page.mouse.move(x0 + rect.width * 0.6, y0 + rect.height * 0.6, { steps: 6 });
  await page.mouse.up();
  await page.waitForTimeout(300);
  const selected = await page.evaluate(() => window.uadscope.panels());
  check("box selection selects points", selected[0].selected > 0, JSON.stringify(selected));
  check("selection is linked to the other map", selected[1].selected > 0, JSON.stringify(selected));
  await shot(page, "live-selection");

  // Export the selection as CSV.
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 10000 }),
    page.click("#export-csv"),
  ]);
  const csvPath = await download.path();
  const lines = readFileSync(csvPath, "utf8").trim().split("\n");
  const expected = selected.reduce((sum, panel) => sum + panel.selected, 0);
  check("CSV export has one row per selected point", lines.length - 1 === expected, `${lines.length - 1} rows, ${expected} selected`);
  check("CSV export has the documented header", lines[0].startsWith("map,point,file,frame,stack,start_s,end_s"), lines[0]);

  // Dual normal/anomaly view and colour by score.
  await page.check("#dual");
  const colorOptions = await page.evaluate(() => Array.from(document.querySelectorAll("#color-by option")).map((o) => o.value));
  const score = colorOptions.find((value) => value.startsWith("score:"));
  if (score) await page.selectOption("#color-by", score);
  await page.waitForTimeout(500);
  await shot(page, "live-dual-score");
  await mapRenders(page, 0, "dual view");

  // Search selects the files whose name matches.
  await page.fill("#search", "anomaly");
  await page.press("#search", "Enter");
  await page.waitForTimeout(300);
  const searched = await page.evaluate(() => window.uadscope.panels());
  check("search selects matching files", searched[0].selected > 0, JSON.stringify(searched));

  check("no console errors on the live page", errors.length === 0, errors.join(" | "));
  await page.close();
}

async function testExport(context) {
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 1400, height: 800 });
  await page.goto(pathToFileURL(exportHtml).href);
  const error = await waitReady(page);
  check("exported page loads without an explorer error", error === null, error ?? "");
  await page.waitForTimeout(500);
  await mapRenders(page, 0, "export");
  const audio = await page.evaluate(() => ({
    disabled: document.getElementById("play-span").disabled,
    note: document.getElementById("audio-note").hidden ? "" : document.getElementById("audio-note").textContent,
  }));
  check("exported page disables playback with a note", audio.disabled && /uadscope serve/.test(audio.note), JSON.stringify(audio));
  await shot(page, "export");
  check("no console errors on the exported page", errors.length === 0, errors.join(" | "));
  await page.close();
}

const profile = mkdtempSync(join(tmpdir(), "uadscope-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    acceptDownloads: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  await testLive(context);
  if (exportHtml) await testExport(context);
} catch (error) {
  failed++;
  console.log(`FAIL browser test aborted: ${error && error.stack ? error.stack : error}`);
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
