// The page's colour theme: 'system' (the default: follows the browser's
// prefers-color-scheme), 'light' or 'dark'. A view preference kept in
// localStorage, not part of the experiment (nor of the link). The resolved
// theme is applied as <html data-theme="light|dark"> when this module is first
// evaluated, before the app renders (main.tsx imports it first; the site's
// Content-Security-Policy allows no inline script in the page).

export type ThemeSetting = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const THEME_STORAGE_KEY = 'icl-lab-theme';
export const THEME_SETTINGS: readonly ThemeSetting[] = ['system', 'light', 'dark'];

interface ThemeState {
  setting: ThemeSetting;
  theme: Theme;
}

const listeners = new Set<() => void>();
const darkQuery: MediaQueryList | null = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

function readSetting(): ThemeSetting {
  try {
    const v = globalThis.localStorage?.getItem(THEME_STORAGE_KEY);
    return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
  } catch {
    return 'system'; // storage blocked: follow the system
  }
}

function resolve(setting: ThemeSetting): Theme {
  if (setting !== 'system') return setting;
  return darkQuery?.matches ? 'dark' : 'light';
}

let state: ThemeState = (() => {
  const setting = readSetting();
  return { setting, theme: resolve(setting) };
})();

function apply(): void {
  if (typeof document !== 'undefined') document.documentElement.dataset.theme = state.theme;
}

function update(setting: ThemeSetting): void {
  const theme = resolve(setting);
  if (setting === state.setting && theme === state.theme) return;
  state = { setting, theme };
  apply();
  for (const l of listeners) l();
}

/** The current setting and the theme it resolves to (a stable object until either changes). */
export function getThemeState(): ThemeState {
  return state;
}

export function subscribeTheme(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Chooses the theme and remembers it for the next visit. */
export function setThemeSetting(setting: ThemeSetting): void {
  try {
    globalThis.localStorage?.setItem(THEME_STORAGE_KEY, setting);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
  update(setting);
}

apply();
// 'system' follows a change of the system's scheme while the page is open.
darkQuery?.addEventListener('change', () => update(state.setting));
// Another tab's choice applies here too.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key === THEME_STORAGE_KEY || e.key === null) update(readSetting());
  });
}
