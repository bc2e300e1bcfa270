// The address bar holds the spec (encodeSpec's readable query), so every
// experiment is a link. replaceState keeps it current without piling up
// history entries for each edit.
import { decodeSpec, defaultSpec, encodeSpec, type ExperimentSpec, type SpecIssue } from '../spec/index.ts';

/** The spec in the page's query (defaults when there is none) and what was wrong with it. */
export function specFromLocation(loc: Location = window.location): { spec: ExperimentSpec; errors: SpecIssue[] } {
  const query = loc.search.replace(/^\?/, '');
  if (query.trim() === '') return { spec: defaultSpec(), errors: [] };
  return decodeSpec(query);
}

export function writeSpecToLocation(spec: ExperimentSpec): void {
  const query = '?' + encodeSpec(spec);
  if (window.location.search === query) return;
  window.history.replaceState(window.history.state, '', query + window.location.hash);
}
