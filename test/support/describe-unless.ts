/**
 * `describe` when nothing stands in the way; otherwise `describe.skip`, with the reason on stderr and in the
 * skipped suite's title, so a skip is never silent. The one pattern for suites that need something the machine
 * may lack (chromium, root for a tmpfs, /proc).
 */
export function describeUnless(reason: string | null, title: string, body: () => void): void {
  if (reason === null) {
    describe(title, body);
    return;
  }
  process.stderr.write(`\n[keygate] ${title}: skipped, ${reason}\n`);
  describe.skip(`${title} (skipped: ${reason})`, body);
}
