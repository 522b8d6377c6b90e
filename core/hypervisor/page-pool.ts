import { PAGE_SIZE } from './abi.ts';

/**
 * A page allocator over a range of pages, like Jailhouse's mem_pool and remap_pool: a bitmap with
 * first-fit allocation of contiguous runs. The counts it reports are what HYPERVISOR_GET_INFO returns.
 */
export class PagePool {
  private readonly used: Uint8Array;
  private usedCount = 0;

  /** `base` is the address of page 0 (the pool's first byte; 0 for pools of virtual pages). */
  constructor(readonly name: string, readonly base: number, readonly pages: number) {
    this.used = new Uint8Array(pages);
  }

  get usedPages(): number {
    return this.usedCount;
  }

  /** Allocates `count` contiguous pages; returns the index of the first, or -1 when none are free. */
  alloc(count: number): number {
    if (count <= 0) return -1;
    let run = 0;
    for (let i = 0; i < this.pages; i++) {
      run = this.used[i] ? 0 : run + 1;
      if (run === count) {
        const first = i - count + 1;
        this.used.fill(1, first, i + 1);
        this.usedCount += count;
        return first;
      }
    }
    return -1;
  }

  /** Marks pages [first, first + count) used (pages the hypervisor occupies from the start). */
  reserve(first: number, count: number): void {
    for (let i = first; i < first + count && i < this.pages; i++) {
      if (!this.used[i]) { this.used[i] = 1; this.usedCount++; }
    }
  }

  free(first: number, count: number): void {
    for (let i = first; i < first + count && i < this.pages; i++) {
      if (this.used[i]) { this.used[i] = 0; this.usedCount--; }
    }
  }

  /** Address of page `index`. */
  address(index: number): number {
    return this.base + index * PAGE_SIZE;
  }
}

/** A run of pages taken from a pool, returned to it as a whole. */
export interface PageRun {
  pool: PagePool;
  first: number;
  count: number;
}

/** Allocates a run, or undefined when the pool is exhausted. */
export function allocRun(pool: PagePool, count: number): PageRun | undefined {
  if (count === 0) return { pool, first: 0, count: 0 };
  const first = pool.alloc(count);
  return first < 0 ? undefined : { pool, first, count };
}

export function freeRuns(runs: PageRun[]): void {
  for (const r of runs) if (r.count > 0) r.pool.free(r.first, r.count);
  runs.length = 0;
}
