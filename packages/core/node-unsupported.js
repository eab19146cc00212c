// Node resolves the "default" export condition here; Bun resolves "bun" to ./src.
throw new Error(
  "@openclaw/auth-runtime is the Bun build of the OpenClaw auth runtime. On Node.js, install and import @openclaw/auth-runtime-node instead (same API).",
);
