import { css } from 'lit';

/** Layout shared by the admin pages, on the console's theme tokens. */
export const pageStyles = css`
  :host { display: block; overflow-y: auto; padding: 24px 32px; }
  h2 { margin: 0 0 16px; font-size: 18px; }
  h3 { margin: 0 0 12px; font-size: 15px; }
  section { background: var(--kf-surface); border: 1px solid var(--kf-border); border-radius: var(--kf-radius); padding: 16px; margin-bottom: 16px; }
  .bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 12px; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 8px 12px; border-bottom: 1px solid var(--kf-hover); vertical-align: top; }
  th { color: var(--kf-text-3); font-weight: 500; font-size: 12px; }
  tr.clickable { cursor: pointer; }
  tr.clickable:hover { background: var(--kf-hover); }
  textarea { width: 100%; box-sizing: border-box; font: inherit; }
  .error { color: var(--kf-danger); }
  .muted { color: var(--kf-text-3); }
  .tabs button[aria-selected='true'] { font-weight: 600; border-bottom: 2px solid var(--kf-primary, currentColor); }
`;
