import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runState } from '../src/results/run.js';
import { finished, runCli, spawnCli } from './helpers/cli.js';

/**
 * A run left "running" by a process that was killed reads as interrupted, with the command that
 * resumes it: the store keeps the pid and host of the process writing each run.
 */
const dir = mkdtempSync(join(tmpdir(), 'chipdse-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run status', () => {
  test('running on this host with its writer alive; interrupted when the writer is gone; another host cannot be checked', () => {
    const alive = (pid: number) => pid === 1;
    expect(runState({ status: 'running', writer: { pid: 1, host: 'h' } }, 'h', alive)).toBe('running');
    expect(runState({ status: 'running', writer: { pid: 2, host: 'h' } }, 'h', alive)).toBe('interrupted');
    expect(runState({ status: 'running', writer: { pid: 2, host: 'other' } }, 'h', alive)).toBe('running elsewhere');
    expect(runState({ status: 'done', writer: { pid: 2, host: 'h' } }, 'h', alive)).toBe('done');
    // Stored before writers were recorded: as stored.
    expect(runState({ status: 'running', writer: null }, 'h', alive)).toBe('running');
  });

  test('after kill -9, chipdse runs shows "interrupted (resume with: ...)", and that command finishes the run', async () => {
    const db = join(dir, 'k.db');
    const child = spawnCli(['search', '--space', 'small', '--algorithm', 'random', '--budget', '2000', '--population', '8', '--db', db, '--run', 'k']);
    // Killed once its first generations are stored.
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stderr.on('data', (d: Buffer) => {
        seen += d.toString();
        if ((seen.match(/evals \d+\/2000/g) ?? []).length >= 3) resolve();
      });
    });
    child.kill('SIGKILL');
    const killed = await finished(child);
    expect(killed.signal).toBe('SIGKILL');
    const runs = await runCli(['runs', '--db', db]);
    expect(runs.code).toBe(0);
    const line = runs.stdout.split('\n').find((l) => l.startsWith('k '))!;
    const resume = `chipdse search --run k --resume --db ${db}`;
    expect(line).toMatch(new RegExp(`interrupted \\(resume with: ${resume.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)$`));
    expect(JSON.parse((await runCli(['runs', '--db', db, '--json'])).stdout)[0].state).toMatch(/^interrupted/);
    const again = await runCli(resume.split(' ').slice(1));
    expect(again.code).toBe(0);
    expect((await runCli(['runs', '--db', db])).stdout).toMatch(/k .* 2000\/2000 .* done$/m);
  }, 120_000);
});
