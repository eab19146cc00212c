/** The Bun platform: Bun's native SHA-256 over the POSIX file services. */
import type { Platform } from "../platform.ts";
import { posixServices } from "./posix-files.ts";

export const bunPlatform: Platform = {
  ...posixServices,
  name: "bun",
  sha256Hex: (text) => new Bun.CryptoHasher("sha256").update(text).digest("hex"),
};
