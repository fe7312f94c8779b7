// The processes the browser tests talk to, started once per run by global-setup.ts:
// a real `tollgate serve` (SQLite in a temp dir) serving the built SPA, localstripe as its
// Stripe API, the ActiveCampaign emulator, and a small webhook receiver.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";

export type Service = { url: string; stop: () => Promise<void> };

export const freePort = () =>
  new Promise<number>((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });

// Stops a child that exits when its stdin closes or on SIGTERM; never leaves it behind.
async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((ok) => child.once("exit", ok));
  child.stdin?.end();
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

// A tools/testkit script that prints `LISTENING <port>` once it accepts connections.
async function startTestkit(root: string, script: string, args: string[]): Promise<Service> {
  const py = execFileSync("bash", [join(root, "tools/testkit/setup.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim()
    .split("\n")
    .at(-1)!;
  const child = spawn(py, [join(root, "tools/testkit", script), ...args, "--port", "0", "--exit-on-stdin-eof"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (c) => (err = (err + c).slice(-4000)));
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${script} did not print LISTENING within 30 s: ${err}`)), 30_000);
    child.stdout!.on("data", (c) => {
      out += c;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${script} exited with ${code}: ${err}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

// localstripe: the server's Stripe API. It delivers signed webhooks to the endpoint Tollgate registers on connect.
export const startLocalstripe = (root: string) => startTestkit(root, "localstripe_launcher.py", []);

// The ActiveCampaign emulator; tests create accounts in it through its /_emulator API.
export const startCrmEmulator = (root: string) => startTestkit(root, "crm_emulator.py", ["--vendor", "activecampaign"]);

// Records every POST Tollgate sends. It answers 500 until a test makes it healthy, so a
// delivery's first tries fail for as long as the test needs them to. Tests run in other
// processes and steer it over HTTP: GET /_control/posts, POST /_control/reset, POST /_control/healthy.
export type ReceivedPost = { headers: Record<string, string | string[] | undefined>; body: string; status: number };
export async function startWebhookReceiver(): Promise<Service> {
  let posts: ReceivedPost[] = [];
  let healthy = false;
  const server: Server = createHttpServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path === "/_control/posts" && req.method === "GET") {
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(posts));
      } else if (path === "/_control/reset" && req.method === "POST") {
        posts = [];
        healthy = false;
        res.writeHead(204).end();
      } else if (path === "/_control/healthy" && req.method === "POST") {
        healthy = true;
        res.writeHead(204).end();
      } else if (req.method !== "POST") {
        res.writeHead(405).end();
      } else {
        const status = healthy ? 200 : 500;
        posts.push({ headers: req.headers, body, status });
        res.writeHead(status, { "Content-Type": "text/plain" }).end(status === 200 ? "thanks" : "receiver not ready");
      }
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", ok);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    },
  };
}

// `tollgate serve` on a free port with a fresh SQLite database in `dir`; its whole log goes to `logPath`.
export async function startTollgate(opts: { bin: string; dir: string; dist: string; stripeUrl: string; logPath: string }): Promise<Service> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = createWriteStream(opts.logPath);
  const server = spawn(opts.bin, ["serve"], {
    // The server keeps uploaded media under ./data/media (relative to its working directory, not TOLLGATE_DATA_DIR).
    cwd: opts.dir,
    env: {
      ...process.env,
      TOLLGATE_DATABASE_URL: `sqlite://${opts.dir}/t.db`,
      TOLLGATE_BIND: `127.0.0.1:${port}`,
      TOLLGATE_PUBLIC_URL: base,
      TOLLGATE_FRONTEND_DIR: opts.dist,
      TOLLGATE_DATA_DIR: opts.dir,
      // The webhook receiver lives on 127.0.0.1, which Tollgate refuses by default (SSRF guard).
      TOLLGATE_OUTBOUND__ALLOW_PRIVATE_NETWORKS: "true",
      TOLLGATE_STRIPE__API_BASE: opts.stripeUrl,
      RUST_LOG: process.env.RUST_LOG || "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let head = "";
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not print 'listening on' within 60 s:\n${head}`)), 60_000);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (head.length < 100_000) head += chunk;
      if (/listening on http/.test(head)) {
        clearTimeout(timer);
        ok();
      }
    };
    server.stdout!.on("data", onData);
    server.stderr!.on("data", onData);
    server.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited early with ${code}:\n${head}`));
    });
  });
  const health = await fetch(`${base}/healthz`);
  if (health.status !== 200) throw new Error(`GET /healthz answered ${health.status}`);
  return {
    url: base,
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((ok) => server.once("exit", ok));
        server.kill("SIGTERM");
        const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await new Promise((ok) => log.end(ok));
    },
  };
}
