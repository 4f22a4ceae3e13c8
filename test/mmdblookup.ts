import { execFileSync } from 'node:child_process';

/**
 * An independent MMDB reader for cross-checks: Debian's `mmdblookup` (libmaxminddb, MaxMind's C library).
 * Its output is JSON-like with type annotations; this turns it back into a value. Null when not found.
 */
export function mmdblookup(file: string, ip: string): unknown {
  let out: string;
  try {
    out = execFileSync('mmdblookup', ['--file', file, '--ip', ip], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { status?: number; stderr?: string };
    if (/Could not find an entry/.test(String(e.stderr))) return null;
    throw err;
  }
  const lines = out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  let i = 0;
  const value = (): unknown => {
    const line = lines[i++];
    if (line === '{') {
      const map: Record<string, unknown> = {};
      while (lines[i] !== '}') {
        const key = JSON.parse(lines[i++].replace(/:$/, '')) as string;
        map[key] = value();
      }
      i++;
      return map;
    }
    if (line === '[') {
      const list: unknown[] = [];
      while (lines[i] !== ']') list.push(value());
      i++;
      return list;
    }
    const m = /^(.*) <(\w+)>$/.exec(line);
    if (m === null) throw new Error(`unexpected mmdblookup line: ${line}`);
    if (m[2] === 'utf8_string') return m[1].slice(1, -1);
    if (m[2] === 'boolean') return m[1] === 'true';
    return Number(m[1]);
  };
  return value();
}
