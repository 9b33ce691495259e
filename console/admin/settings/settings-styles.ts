import { css } from 'lit';

/** Form layout of the settings pages: one labelled field per row, a save bar at the end of a section. */
export const formStyles = css`
  h3 { margin: 0 0 12px; font-size: 15px; }
  .field { display: flex; flex-direction: column; gap: 4px; margin-bottom: 12px; max-width: 640px; }
  .field > span:first-child { font-size: 13px; color: var(--kf-text-2); }
  .field input[type='text'], .field textarea, .field select { width: 100%; box-sizing: border-box; }
  .field input[type='number'] { width: 120px; }
  .check { display: flex; align-items: center; gap: 8px; margin-bottom: 12px; }
  .options { display: flex; gap: 16px; }
  .options label { display: flex; align-items: center; gap: 4px; }
  .hint { font-size: 12px; color: var(--kf-text-3); }
  table.hours tr { height: 40px; }
  .actions { display: flex; align-items: center; gap: 12px; margin-top: 4px; }
  .ok { color: var(--kf-success); }
  .error { color: var(--kf-danger); }
`;
