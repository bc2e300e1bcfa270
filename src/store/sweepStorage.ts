// Where the page keeps a sweep's finished runs between page loads: the
// browser's IndexedDB (through `idb`), one database for the lab's sweeps with
// one store of run records keyed by (the sweep's link, the run's index). A
// reload, a lost device or a link opened again later finds the runs saved
// for that exact link and does not redo them. Where IndexedDB cannot be
// opened (a private window, storage blocked) or stops taking writes (quota),
// the runs are kept in memory instead and the page says so.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SweepRunRecord } from '../orchestration/sweep.ts';

export const SWEEP_DB_NAME = 'icl-lab-sweeps';
export const SWEEP_DB_VERSION = 1;
export const SWEEP_RUNS_STORE = 'runs';
/** Version of a stored row; rows of another version are ignored. */
export const SWEEP_ROW_VERSION = 1;
/** How long opening the database may take before the page gives up on it (a blocked open never settles). */
const OPEN_TIMEOUT_MS = 4000;

export interface SweepRunRow {
  /** The sweep's link (encodeSweep): a different sweep is a different link. */
  link: string;
  index: number;
  v: number;
  savedAt: number;
  record: SweepRunRecord;
}

interface SweepDb extends DBSchema {
  runs: { key: [string, number]; value: SweepRunRow };
}

export interface SweepStorage {
  readonly kind: 'indexeddb' | 'memory';
  /** Why the runs are kept in memory (IndexedDB unavailable or failing). */
  readonly reason?: string;
  /** The rows saved for this exact link, in index order. */
  load(link: string): Promise<SweepRunRecord[]>;
  save(link: string, record: SweepRunRecord): Promise<void>;
  /** Deletes every run saved for the link; returns how many there were. */
  discard(link: string): Promise<number>;
  /** A finished run of any saved sweep whose own link is `share` (for pinning it to compare), or null. */
  findDone(share: string): Promise<SweepRunRecord | null>;
}

const isDoneRun = (r: SweepRunRecord | undefined, share: string) => r?.share === share && r.status === 'done' && r.result !== undefined;

const range = (link: string) => IDBKeyRange.bound([link, -Infinity], [link, Infinity]);

class IdbStorage implements SweepStorage {
  readonly kind = 'indexeddb' as const;
  constructor(private readonly db: IDBPDatabase<SweepDb>) {}

  async load(link: string): Promise<SweepRunRecord[]> {
    const rows = await this.db.getAll(SWEEP_RUNS_STORE, range(link));
    return rows.filter((r) => r.v === SWEEP_ROW_VERSION && r.link === link && r.record?.index === r.index).map((r) => r.record);
  }

  async save(link: string, record: SweepRunRecord): Promise<void> {
    // Resolved once the transaction has committed, so a reload right after finds the row.
    const tx = this.db.transaction(SWEEP_RUNS_STORE, 'readwrite');
    await tx.store.put({ link, index: record.index, v: SWEEP_ROW_VERSION, savedAt: Date.now(), record });
    await tx.done;
  }

  async discard(link: string): Promise<number> {
    const tx = this.db.transaction(SWEEP_RUNS_STORE, 'readwrite');
    const n = await tx.store.count(range(link));
    await tx.store.delete(range(link));
    await tx.done;
    return n;
  }

  async findDone(share: string): Promise<SweepRunRecord | null> {
    // A cursor, so only the matching row is kept in memory (a store can hold many sweeps).
    let cursor = await this.db.transaction(SWEEP_RUNS_STORE).store.openCursor();
    while (cursor) {
      const row = cursor.value;
      if (row.v === SWEEP_ROW_VERSION && isDoneRun(row.record, share)) return row.record;
      cursor = await cursor.continue();
    }
    return null;
  }
}

/** Runs kept for this page load only. */
export class MemoryStorage implements SweepStorage {
  readonly kind = 'memory' as const;
  private readonly byLink = new Map<string, Map<number, SweepRunRecord>>();
  constructor(readonly reason: string) {}

  async load(link: string): Promise<SweepRunRecord[]> {
    return [...(this.byLink.get(link)?.values() ?? [])].sort((a, b) => a.index - b.index);
  }

  async save(link: string, record: SweepRunRecord): Promise<void> {
    if (!this.byLink.has(link)) this.byLink.set(link, new Map());
    this.byLink.get(link)!.set(record.index, record);
  }

  async discard(link: string): Promise<number> {
    const n = this.byLink.get(link)?.size ?? 0;
    this.byLink.delete(link);
    return n;
  }

  async findDone(share: string): Promise<SweepRunRecord | null> {
    for (const runs of this.byLink.values()) for (const r of runs.values()) if (isDoneRun(r, share)) return r;
    return null;
  }

  /** Takes over what another storage already holds for a link (after IndexedDB failed mid-sweep). */
  async adopt(link: string, records: SweepRunRecord[]): Promise<void> {
    for (const r of records) await this.save(link, r);
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  return String(e);
}

/** Opens the lab's sweep database, or falls back to memory with the reason. */
export async function openSweepStorage(): Promise<SweepStorage> {
  if (typeof indexedDB === 'undefined' || indexedDB === null) return new MemoryStorage('this browser offers no IndexedDB here (a private window, or storage turned off)');
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const db = await Promise.race([
      openDB<SweepDb>(SWEEP_DB_NAME, SWEEP_DB_VERSION, {
        upgrade(database) {
          if (!database.objectStoreNames.contains(SWEEP_RUNS_STORE)) database.createObjectStore(SWEEP_RUNS_STORE, { keyPath: ['link', 'index'] });
        },
        // A newer page in another tab wants to upgrade the database: let it (this page's later writes then fail over to memory).
        blocking(_current, _blocked, event) {
          (event.target as IDBDatabase | null)?.close();
        },
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`opening it took more than ${OPEN_TIMEOUT_MS / 1000} s (another tab may be blocking it)`)), OPEN_TIMEOUT_MS);
      }),
    ]);
    return new IdbStorage(db);
  } catch (e) {
    return new MemoryStorage(`IndexedDB could not be opened: ${describe(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

export { describe as describeStorageError };
