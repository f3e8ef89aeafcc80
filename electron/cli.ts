/**
 * `node dist/electron/cli.cjs <command> …`: the command-line tools (cli-commands.ts). On an
 * installed desk the same commands run as `<desk executable> --cli <command> …`.
 */
import { runCli } from './cli-commands';

void runCli(process.argv.slice(2)).then((code) => process.exit(code));
