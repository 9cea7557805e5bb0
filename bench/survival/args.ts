/** `npm run bench:survival` arguments: `--scenarios <name,...|all>`, `--full`, `--readme`. */
export interface SurvivalArgs {
  names: string[];
  full: boolean;
  readme: boolean;
}

export function parseSurvivalArgs(argv: string[], known: string[]): SurvivalArgs {
  const at = argv.indexOf('--scenarios');
  let names: string[] = [];
  if (at >= 0) {
    const value = argv[at + 1];
    if (!value || value.startsWith('--')) throw new Error(`--scenarios needs a scenario name or "all" (${known.join(', ')})`);
    names =
      value === 'all'
        ? [...known]
        : value
            .split(',')
            .map((n) => n.trim())
            .filter((n) => n !== '');
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw new Error(`Unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}: choose from ${known.join(', ')}, or all`);
  }
  const stray = argv.filter((a, i) => a.startsWith('--') && !['--scenarios', '--full', '--readme'].includes(a) && argv[i - 1] !== '--scenarios');
  if (stray.length > 0) throw new Error(`Unknown option ${stray.join(' ')}: use --scenarios <name|all>, --full or --readme`);
  return { names, full: argv.includes('--full'), readme: argv.includes('--readme') };
}
