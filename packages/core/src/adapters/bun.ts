/** The Bun platform: Bun's native SHA-256 over the POSIX file services. */
import type { Platform } from "../platform.ts";
import { posixServices } from "./posix-files.ts";

export const bunPlatform: Platform = {
  ...posixServices,
  fetchReleasesSignals: true,
  // The static one-shot hash: a CryptoHasher object per call costs four times as much.
  sha256Hex: (text) => Bun.CryptoHasher.hash("sha256", text, "hex"),
};
