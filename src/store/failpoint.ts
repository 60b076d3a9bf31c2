// Crash-test failpoints: `failpoint('create:after-record')` kills the process with SIGKILL
// when the environment variable WHARF_FAILPOINTS (a comma-separated list, read once at
// start) names that point. With the variable unset this is one Set lookup, so failpoints
// stay in production code at the steps whose interruption the crash tests exercise.
const armed = new Set(
  (process.env.WHARF_FAILPOINTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export function failpoint(name: string): void {
  if (armed.size === 0 || !armed.has(name)) return;
  // stderr is unbuffered for files and pipes in Node, so the line lands before the kill.
  process.stderr.write(`failpoint ${name}: SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}
