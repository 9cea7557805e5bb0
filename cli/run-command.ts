/**
 * The process end of every command: run `main` with this process's arguments and leave its answer
 * as the exit code. A command that crashes (a bug, not bad usage) prints the stack and exits 1;
 * usage errors are the command's own to word, with exit code 2.
 */
export function runCommand(main: (argv: string[]) => Promise<number> | number): void {
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
      },
    );
}
