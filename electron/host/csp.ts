/**
 * The one Content-Security-Policy for the renderer, whichever host serves it:
 * Electron's app:// protocol handler (electron/main.ts) and the loopback
 * browser host both send exactly this header. Keep this module free of
 * imports so both hosts (and tests) can use it.
 *
 * - 'wasm-unsafe-eval': WebAssembly (e.g. OCR / image code) without allowing eval().
 * - style-src 'unsafe-inline': antd's CSS-in-JS injects <style> elements.
 * - blob:/data:/mediastream: for camera capture, previews and workers.
 * - No remote origins at all: the desk works offline and talks only to its own host.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-src 'self' blob:; media-src 'self' blob: mediastream:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
