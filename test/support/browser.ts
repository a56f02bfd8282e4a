import { existsSync } from "node:fs";

import { type Browser, chromium } from "playwright-core";

/** The headless Chromium browser tests drive: Debian's by default. */
export const CHROMIUM = process.env.STARMINER_CHROMIUM ?? "/usr/bin/chromium";

/** Launches headless Chromium, or throws saying how to get one. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium, or set STARMINER_CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}
