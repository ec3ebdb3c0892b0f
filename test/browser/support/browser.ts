/** Headless Debian Chromium via playwright-core (never a downloaded browser), plus page error capture. */
import { chromium, type Browser, type Page } from "playwright-core";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const SCREENSHOT_DIR = join(process.cwd(), "test-output", "browser");

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface PageProblems {
  /** Uncaught exceptions and console.error calls from page scripts. */
  errors: string[];
  /** Chromium's own network lines ("Failed to load resource", "blocked by CORS policy") for failures a test provoked. */
  failedResources: string[];
}

export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], failedResources: [] };
  page.on("pageerror", (err) => problems.errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    if (text.startsWith("Failed to load resource") || /blocked by CORS policy/.test(text)) problems.failedResources.push(text);
    else problems.errors.push(`console.error: ${text}`);
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
