// Bundles the viewer into dist/: index.html, app.js and app.css, with no external requests at
// run time. `uadscope serve` serves dist/ and `export --html` inlines it.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: { app: join(root, "src", "main.ts") },
  bundle: true,
  minify: true,
  sourcemap: false,
  target: ["es2020"],
  format: "iife",
  outdir: dist,
  loader: { ".css": "css" },
  legalComments: "none",
  logLevel: "info",
});
copyFileSync(join(root, "index.html"), join(dist, "index.html"));
