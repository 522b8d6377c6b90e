// The recent-files list (userData/recent-files.json): what File > Open Recent and the start screen show.
// openRecent() only opens paths from this list, so the renderer cannot read arbitrary files.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface RecentFile {
  name: string;
  path: string;
}

const MAX = 10;

export class RecentFiles {
  private readonly file: string;
  private list: RecentFile[];

  constructor(userData: string) {
    this.file = join(userData, 'recent-files.json');
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      this.list = Array.isArray(parsed)
        ? parsed.filter((e): e is RecentFile => typeof e?.path === 'string').map((e) => ({ name: basename(e.path), path: e.path }))
        : [];
    } catch {
      this.list = [];
    }
  }

  all(): RecentFile[] {
    return this.list.slice();
  }

  has(path: string): boolean {
    return this.list.some((e) => e.path === path);
  }

  add(path: string): void {
    this.list = [{ name: basename(path), path }, ...this.list.filter((e) => e.path !== path)].slice(0, MAX);
    this.save();
  }

  remove(path: string): void {
    this.list = this.list.filter((e) => e.path !== path);
    this.save();
  }

  private save(): void {
    try {
      writeFileSync(this.file, JSON.stringify(this.list, null, 2));
    } catch { /* not fatal */ }
  }
}
