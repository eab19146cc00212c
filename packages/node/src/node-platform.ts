/** The Node.js platform: node:crypto's SHA-256 over core's POSIX file and process services. */
import { createHash } from "node:crypto";
import { posixServices } from "../../core/src/adapters/posix-files.ts";
import type { Platform } from "../../core/src/platform.ts";

export const nodePlatform: Platform = {
  ...posixServices,
  sha256Hex: (text) => createHash("sha256").update(text, "utf8").digest("hex"),
};
