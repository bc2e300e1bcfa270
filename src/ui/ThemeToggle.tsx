// The colour theme, in the top bar: three small buttons (follow the system,
// light, dark), one pressed. Tab reaches the group, ←/→ move between the
// choices, Enter or Space picks one. The choice is remembered in this browser.
import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { setThemeSetting, THEME_SETTINGS, type ThemeSetting } from './theme.ts';
import { useThemeState } from './plotTheme.ts';

const ICON_PROPS = { width: 14, height: 14, viewBox: '0 0 16 16', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true } as const;

const CHOICES: Record<ThemeSetting, { label: string; icon: ReactNode }> = {
  system: {
    label: 'Theme: follow the system',
    icon: (
      <svg {...ICON_PROPS}>
        <rect x="1.75" y="2.5" width="12.5" height="8.5" rx="1.5" />
        <path d="M5.5 13.75h5M8 11v2.75" />
      </svg>
    ),
  },
  light: {
    label: 'Theme: light',
    icon: (
      <svg {...ICON_PROPS}>
        <circle cx="8" cy="8" r="3" />
        <path d="M8 1.25v1.5M8 13.25v1.5M1.25 8h1.5M13.25 8h1.5M3.2 3.2l1.06 1.06M11.74 11.74l1.06 1.06M3.2 12.8l1.06-1.06M11.74 4.26l1.06-1.06" />
      </svg>
    ),
  },
  dark: {
    label: 'Theme: dark',
    icon: (
      <svg {...ICON_PROPS}>
        <path d="M13.5 9.6A5.75 5.75 0 0 1 6.4 2.5a5.75 5.75 0 1 0 7.1 7.1Z" />
      </svg>
    ),
  },
};

export function ThemeToggle() {
  const { setting, theme } = useThemeState();
  const group = useRef<HTMLDivElement>(null);

  const onKeyDown = (e: KeyboardEvent) => {
    const dir = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (dir === 0) return;
    e.preventDefault();
    const buttons = Array.from(group.current?.querySelectorAll<HTMLButtonElement>('button') ?? []);
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    buttons[(at + dir + buttons.length) % buttons.length]?.focus();
  };

  return (
    <div className="theme-toggle" role="group" aria-label="Colour theme" data-testid="theme-toggle" data-theme-setting={setting} onKeyDown={onKeyDown} ref={group}>
      {THEME_SETTINGS.map((s) => (
        <button
          key={s}
          type="button"
          className={s === setting ? 'theme-btn active' : 'theme-btn'}
          aria-pressed={s === setting}
          aria-label={CHOICES[s].label}
          title={s === 'system' ? `${CHOICES[s].label} (now ${theme})` : CHOICES[s].label}
          data-theme-choice={s}
          onClick={() => setThemeSetting(s)}
        >
          {CHOICES[s].icon}
        </button>
      ))}
    </div>
  );
}
