// Spawning the real CLI in tests: an environment free of the machine's credentials, and
// waiting for a line of the process's output.
import type { ChildProcess } from 'node:child_process';

/** Env without any Slack, GitHub, Linear, MCP or database settings from the machine running the tests. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^(SLACK_|GITHUB_|LINEAR_|DATABASE_URL|PORT|HOST|MCP_)/.test(key)) delete env[key];
  return { ...env, ...extra };
}

export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${buffer}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited with ${code} before ${pattern}; output:\n${buffer}`));
    });
  });
}
