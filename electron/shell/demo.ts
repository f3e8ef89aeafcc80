/**
 * Whether the Electron shell seeds the demo hall on an empty store. A packaged desk — what a hall
 * installs — never does unless asked for explicitly (`--demo` or DESK_DEMO=1): a real desk starts
 * empty and asks for the hall and its first supervisor (the setup page). A development run
 * (`npm start`, not packaged) keeps the demo by default, as the browser host does.
 * `--no-demo` / DESK_DEMO=0 always win.
 */
export function wantsDemo(input: { argv: readonly string[]; env: Readonly<Record<string, string | undefined>>; isPackaged: boolean }): boolean {
  const { argv, env, isPackaged } = input;
  if (argv.includes('--no-demo') || env.DESK_DEMO === '0') return false;
  if (argv.includes('--demo') || env.DESK_DEMO === '1') return true;
  return !isPackaged;
}
