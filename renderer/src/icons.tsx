// Small line icons (inline SVG, so they draw the same on every system: no icon font, no emoji font).
// Buttons that can shrink to an icon keep their words as the accessible name and the tooltip.

const PATHS = {
  back: 'M10 3 5 8l5 5M5 8h8',
  panel: 'M2.5 3.5h11v9h-11zM9.5 3.5v9',
  trace: 'M2 4h12M2 8h8M2 12h10',
  memory: 'M3 3h10v10H3zM3 6.5h10M3 9.5h10M6.5 3v10M9.5 3v10',
  pause: 'M5.5 3.5v9M10.5 3.5v9',
  play: 'M5 3l8 5-8 5z',
  reset: 'M3.5 8a4.5 4.5 0 1 0 1.3-3.2M3.5 2.5v2.8h2.8',
  search: 'M7 2.5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zM10.3 10.3 14 14',
  copy: 'M5.5 5.5h8v8h-8zM2.5 10.5v-8h8',
  clear: 'M3 13h10M5 10.5l6-7 2.5 2.2-6 7H5z',
  maximise: 'M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10',
  restore: 'M6 2.5V6H2.5M13.5 6H10V2.5M10 13.5V10h3.5M2.5 10H6v3.5',
  settings: 'M8 5.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5zM8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4',
  open: 'M2.5 4.5v8h11v-6H8L6.5 4.5z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false"
      fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}
