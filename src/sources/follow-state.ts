import { readFileSync, renameSync, writeFileSync, type Stats } from 'node:fs';

/** Read positions by path, with the file identity they belong to, so a restart resumes where it stopped. */
export type FollowState = Record<string, { dev: number; ino: number; offset: number }>;

/** The state file's positions; a missing or unreadable file is no positions (everything is read from the start). */
export function loadState(path: string): FollowState {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as FollowState;
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/** Writes the state file atomically: a crash mid-write never leaves a torn file. */
export function saveState(path: string, state: FollowState): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}

/** Positions from the state file, found by path or, for a file rotated while the process was down, by identity. */
export class SavedPositions {
  private readonly byIdentity = new Map<string, number>();

  constructor(private readonly state: FollowState) {
    for (const e of Object.values(state)) this.byIdentity.set(`${e.dev}:${e.ino}`, e.offset);
  }

  /** True when no positions were saved: a first start. */
  get empty(): boolean {
    return this.byIdentity.size === 0;
  }

  /** Where to start a file: its saved position if it is the same file, else 0. */
  resumeFrom(path: string, s: Stats): number {
    const byPath = this.state[path];
    const offset = byPath !== undefined && byPath.ino === s.ino && byPath.dev === s.dev ? byPath.offset
      : this.byIdentity.get(`${s.dev}:${s.ino}`);
    return offset !== undefined && offset <= s.size ? offset : 0;
  }
}
