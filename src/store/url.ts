// The address bar holds the spec (encodeSpec's readable query), so every
// experiment is a link. replaceState keeps it current without piling up
// history entries for each edit. Extra link keys (EXTRA_LINK_KEYS, e.g. the
// compared run's vs=) ride after the spec, set through setLinkExtra.
import { decodeSpec, defaultSpec, encodeSpec, EXTRA_LINK_KEYS, type ExperimentSpec, type SpecIssue } from '../spec/index.ts';

/** The spec in the page's query (defaults when there is none) and what was wrong with it. */
export function specFromLocation(loc: Location = window.location): { spec: ExperimentSpec; errors: SpecIssue[] } {
  const query = loc.search.replace(/^\?/, '');
  if (query.trim() === '') return { spec: defaultSpec(), errors: [] };
  return decodeSpec(query);
}

/** Extra link keys written after the spec, in insertion order (values unencoded). */
const linkExtras = new Map<string, string>();
let lastSpec: ExperimentSpec | null = null;

function extrasQuery(): string {
  return Array.from(linkExtras, ([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('');
}

export function writeSpecToLocation(spec: ExperimentSpec): void {
  lastSpec = spec;
  const query = '?' + encodeSpec(spec) + extrasQuery();
  if (window.location.search === query) return;
  window.history.replaceState(window.history.state, '', query + window.location.hash);
}

/** Sets (or with null removes) an extra link key, e.g. vs=<the pinned run's spec query>, and rewrites the address bar. */
export function setLinkExtra(key: string, value: string | null): void {
  if (value === null) linkExtras.delete(key);
  else linkExtras.set(key, value);
  // Another view that owns the address bar (a sweep's link: another extra key) keeps it.
  const current = new URLSearchParams(window.location.search);
  const foreign = [...EXTRA_LINK_KEYS].some((k) => current.has(k) && !linkExtras.has(k) && k !== key);
  if (lastSpec && !foreign) writeSpecToLocation(lastSpec);
}

/** An extra link key's value in the page's query (percent-decoded), or null. */
export function linkExtraFromLocation(key: string, loc: Location = window.location): string | null {
  try {
    return new URLSearchParams(loc.search).get(key);
  } catch {
    return null;
  }
}
