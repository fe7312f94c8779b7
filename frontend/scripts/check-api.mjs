// Fails when src/api/schema.d.ts differs from a fresh openapi-typescript generation of ../openapi/openapi.json.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const spec = join(root, "../openapi/openapi.json");
const committed = join(root, "src/api/schema.d.ts");
if (!existsSync(spec)) {
  console.error(`check:api: ${spec} does not exist`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), "tollgate-schema-"));
try {
  const fresh = join(dir, "schema.d.ts");
  execFileSync(join(root, "node_modules/.bin/openapi-typescript"), [spec, "-o", fresh], { stdio: ["ignore", "ignore", "inherit"] });
  if (!existsSync(committed) || readFileSync(committed, "utf8") !== readFileSync(fresh, "utf8")) {
    console.error("check:api: src/api/schema.d.ts is out of date with openapi/openapi.json. Run `npm run gen:api` and commit the result.");
    process.exit(1);
  }
  console.log("check:api: src/api/schema.d.ts matches openapi/openapi.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
