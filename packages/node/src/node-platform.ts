/** The Node.js platform: node:crypto's SHA-256 over core's POSIX file and process services. */
import { createHash } from "node:crypto";
import { type Platform, posixServices } from "@openclaw/auth-runtime/adapter";

export const nodePlatform: Platform = {
  ...posixServices,
  sha256Hex: (text) => createHash("sha256").update(text, "utf8").digest("hex"),
};
