/**
 * The process end of every command: run `main` with this process's arguments and leave its answer
 * as the exit code. A command that crashes (a bug, not bad usage) prints the stack and exits 1;
 * usage errors are the command's own to word, with exit code 2.
 *
 * Everything a command prints goes through `terminalSafe`: the commands print names and reasons from
 * ledgers, workflows, file names and servers' answers, and a terminal obeys the control characters in
 * them (docs/security.md, "What the command line tools trust").
 */
import { escapeControlsInLines } from '../src/terminal-text';

/** Where a command's lines go: stdout and stderr in a process, arrays in a test. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The same io (and whatever else it carries), with every control character but line breaks and tabs shown escaped. */
export function terminalSafe<T extends CommandIo>(io: T): T {
  return { ...io, out: (line: string) => io.out(escapeControlsInLines(line)), err: (line: string) => io.err(escapeControlsInLines(line)) };
}

export function runCommand(main: (argv: string[]) => Promise<number> | number): void {
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        terminalSafe(processIo).err(error instanceof Error ? (error.stack ?? error.message) : String(error));
        process.exitCode = 1;
      },
    );
}
