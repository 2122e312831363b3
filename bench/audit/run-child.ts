import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildResult, Mode } from './measure-child.js';

const CHILD = fileURLToPath(new URL('./measure-child.js', import.meta.url));

/**
 * Runs one measurement in a fresh Node process (same binary, same flags as none) and returns its one-line
 * result. Its stderr (findings, a failure's stack) goes to ours; a non-zero exit is a failed bench, not a figure.
 */
export const runChild = (mode: Mode, file: string, keyFile: string, exportTarget?: string): Promise<ChildResult> =>
  new Promise((resolve, reject) => {
    // BENCH_HEAP_MB caps each child's V8 heap: a run that completes under a small cap at 1M events shows the
    // working set does not grow with the log, which peak RSS alone cannot (V8 grows its heap while nothing presses it).
    const heap = process.env.BENCH_HEAP_MB ? [`--max-old-space-size=${Number(process.env.BENCH_HEAP_MB)}`] : [];
    const args = [...heap, CHILD, mode, file, keyFile, ...(exportTarget ? [exportTarget] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`measure-child ${mode} exited ${code ?? signal}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildResult);
      } catch {
        reject(new Error(`measure-child ${mode} printed no result: ${JSON.stringify(out.slice(0, 200))}`));
      }
    });
  });
