// Timeouts every kind of test desk shares (integration desks, e2e hosts); no imports, so any test can load it.

/**
 * How long a test desk waits for an answer before it gives up ("已发出，但未收到应答"). Generous on
 * purpose: on a loaded machine (CI at load 25–33 on 2 cores) a signed hub request or a chunk upload
 * can take several seconds, and a request given up too early is retried — the attempts, packages
 * and chunks the tests count would then grow with the machine's slowness. A test that needs a
 * request to time out (a black-holed target, a delayed answer) sets its own, shorter timeout and
 * counts only what its fault caused.
 */
export const TEST_REQUEST_TIMEOUT_MS = 30_000;
