import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadRequest, LoadResult } from './load-child.js';

/**
 * autocannon in a child process (load-child.ts), so the server under test keeps this process's event loop to
 * itself. One run at a time; a child that exits or fails mid-run rejects the run.
 */
export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<LoadGenerator> {
    const child = fork(fileURLToPath(new URL('./load-child.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`load child exited early (${code})`)));
    });
    child.removeAllListeners('exit');
    return new LoadGenerator(child);
  }

  run(request: Omit<LoadRequest, 'type'>): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load child exited during a run (${code})`));
      this.child.once('exit', onExit);
      this.child.once('message', (message: LoadResult | { type: 'error'; message: string }) => {
        this.child.off('exit', onExit);
        if (message.type === 'result') resolve(message);
        else reject(new Error(`autocannon failed: ${message.message}`));
      });
      this.child.send({ type: 'run', ...request } satisfies LoadRequest);
    });
  }

  stop(): void {
    if (this.child.connected) this.child.send({ type: 'exit' });
  }
}
