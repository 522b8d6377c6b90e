// Moving the keyboard between the machine view's areas (F6 / Shift+F6, and the skip links). An area is
// an element with `data-region` and tabIndex -1; Tab then walks inside it. The consoles area hands
// the keyboard straight to the shown root (or maximised) console's terminal.

/** The area after (direction 1) or before (-1) the one holding `from`, wrapping around. */
export function nextRegion(root: HTMLElement, from: Element | null, direction: 1 | -1): HTMLElement | undefined {
  const regions = [...root.querySelectorAll<HTMLElement>('[data-region]')].filter((r) => r.offsetParent !== null || r === document.activeElement);
  if (regions.length === 0) return undefined;
  const current = regions.findIndex((r) => r === from || (from !== null && r.contains(from)));
  if (current < 0) return regions[direction === 1 ? 0 : regions.length - 1];
  return regions[(current + direction + regions.length) % regions.length];
}

export function focusRegion(region: HTMLElement): void {
  if (region.dataset.region === 'consoles') {
    const terminal = region.querySelector<HTMLElement>('.pane:not([hidden]) textarea.xterm-helper-textarea');
    if (terminal) return terminal.focus();
  }
  region.focus();
  region.scrollIntoView({ block: 'nearest' });
}
