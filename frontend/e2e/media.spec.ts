// Media: the admin uploads files on a product's Media tab; a member with access downloads a
// file and plays an audio lesson in the browser; the activity feed records both.
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, test, type AdminApi } from "./support/fixtures";
import { memberSignedIn, open, toast } from "./support/helpers";

type Person = { email: string; name: string; password: string };

// A product the member has, with nothing on its Media tab yet.
async function productWithMember(api: AdminApi, name: string, member: Person) {
  const product = await api.product({ name });
  await api.grant(await api.member(member), product);
  return product;
}

async function openMediaTab(page: Page, productId: string, name: string) {
  await open(page, `/products/${productId}?tab=media`, name);
  await expect(page.getByRole("tab", { name: "Media", selected: true })).toBeVisible();
}

test("the admin uploads a file; the member downloads it; the feed shows User File Downloaded", async ({ page, api, openContext, shoot }) => {
  const marie = { email: "marie@example.com", name: "Marie Curie", password: "radium and polonium" };
  const product = await productWithMember(api, "Media Course", marie);
  const pdf = "%PDF-1.4 test";
  await openMediaTab(page, product.id, "Media Course");
  await expect(page.getByText("No media yet")).toBeVisible();
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "guide.pdf", mimeType: "application/pdf", buffer: Buffer.from(pdf) });
  await expect(page.getByLabel("Kind", { exact: true }), "a PDF defaults to kind file").toHaveValue("file");
  const uploaded = page.waitForResponse((r) => r.request().method() === "POST" && /\/api\/v1\/products\/[^/]+\/media\?/.test(r.url()));
  await page.getByRole("button", { name: "Upload" }).click();
  const up = await uploaded;
  expect(up.status(), "upload status").toBe(201);
  expect(up.request().headers()["content-type"], "upload Content-Type").toBe("application/pdf");
  await expect(page.getByRole("list", { name: "Media files" }).getByText("guide.pdf")).toBeVisible();
  await expect(toast(page, "Uploaded guide.pdf.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("list", { name: "Media files" }).getByText("guide.pdf")).toBeVisible();
  await shoot("32-product-media");

  const m = await memberSignedIn(await openContext(), marie.email, marie.password, marie.name);
  await m.getByRole("link", { name: "Media Course", exact: true }).click();
  await expect(m.getByRole("heading", { name: "Media Course" })).toBeVisible();
  await expect(m.getByText("guide.pdf")).toBeVisible();
  const fetched = m.waitForResponse((r) => r.url().includes("/api/v1/member/media/"));
  const downloading = m.waitForEvent("download");
  await m.getByRole("button", { name: "Download guide.pdf" }).click();
  expect((await fetched).status(), "media download status").toBe(200);
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("guide.pdf");
  expect(readFileSync(await download.path(), "utf8"), "downloaded bytes").toBe(pdf);
  await shoot("33-member-product-media", { on: m });

  await open(page, "/activities", "Activities");
  await expect(page.getByText("User File Downloaded").first()).toBeVisible();
});

// One second of 8 kHz mono 8-bit PCM: a WAV file Chromium plays without codecs.
function wavFile() {
  const samples = 8000;
  const wav = Buffer.alloc(44 + samples);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + samples, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(8000, 28);
  wav.writeUInt16LE(1, 32);
  wav.writeUInt16LE(8, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(samples, 40);
  for (let i = 0; i < samples; i++) wav[44 + i] = 128 + Math.round(40 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return wav;
}

test("the admin uploads an audio lesson; the member plays it in the browser; the feed shows User Audio Listened", async ({ page, api, openContext, shoot }) => {
  const marie = { email: "maria@example.com", name: "Maria Callas", password: "casta diva 1952" };
  const product = await productWithMember(api, "Audio Course", marie);
  await openMediaTab(page, product.id, "Audio Course");
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "lesson.wav", mimeType: "audio/wav", buffer: wavFile() });
  await expect(page.getByLabel("Kind", { exact: true }), "a WAV file defaults to kind audio").toHaveValue("audio");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(toast(page, "Uploaded lesson.wav.")).toBeVisible();

  const m = await memberSignedIn(await openContext(), marie.email, marie.password, marie.name);
  await m.getByRole("link", { name: "Audio Course", exact: true }).click();
  await expect(m.getByText("lesson.wav")).toBeVisible();
  const played = m.waitForResponse((r) => r.request().method() === "POST" && /\/api\/v1\/member\/media\/[^/]+\/played$/.test(r.url()));
  await m.getByRole("button", { name: "Play lesson.wav" }).click();
  await expect(m.locator("audio")).toBeVisible();
  const res = await played;
  expect(res.ok(), `POST …/played answered ${res.status()}`).toBe(true);
  // The browser really decoded and played the file served by Tollgate.
  await m.waitForFunction(() => {
    const a = document.querySelector("audio");
    return !!a && a.duration > 0.9 && a.duration < 1.1 && (a.currentTime > 0 || a.ended);
  });
  await shoot("33b-member-audio-playing", { on: m });

  await open(page, "/activities", "Activities");
  await expect(page.getByText("User Audio Listened").first()).toBeVisible();
});
