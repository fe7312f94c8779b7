// Prints the gzip size of the JS that index.html loads up front (entry + modulepreloads).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((m) => m[1]);
let raw = 0;
let gz = 0;
for (const src of new Set(scripts)) {
  const buf = readFileSync(join(dist, src.replace(/^\//, "")));
  raw += buf.length;
  gz += gzipSync(buf, { level: 9 }).length;
  console.log(`  ${src}  ${(buf.length / 1024).toFixed(1)} KB raw`);
}
const limit = 250 * 1024;
console.log(`initial JS: ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip (budget 250 KB gzip)`);
if (gz > limit) {
  console.error("initial JS is over the 250 KB gzip budget");
  process.exit(1);
}
