import { css } from 'lit';

/** The look of the console's modal dialogs (native `<dialog>`: Esc closes it, focus stays inside). */
export const dialogStyles = css`
  dialog {
    border: none; border-radius: var(--kf-radius); box-shadow: var(--kf-shadow); padding: 0;
    width: min(520px, 92vw); max-height: 80vh; color: var(--kf-text); background: var(--kf-surface);
  }
  dialog::backdrop { background: rgba(31, 35, 41, 0.35); }
  form { display: flex; flex-direction: column; max-height: 80vh; }
  h2 { margin: 0; padding: 14px 20px; font-size: 16px; font-weight: 600; border-bottom: 1px solid var(--kf-border); }
  .body { padding: 12px 20px; overflow-y: auto; display: grid; gap: 10px; }
  .buttons { display: flex; justify-content: flex-end; gap: 8px; padding: 12px 20px; border-top: 1px solid var(--kf-border); }
  .muted { color: var(--kf-text-3); font-size: 13px; }
  label.choice {
    display: flex; align-items: center; gap: 10px; padding: 8px 10px; border: 1px solid var(--kf-border);
    border-radius: 6px; cursor: pointer;
  }
  label.choice:has(input:checked) { border-color: var(--kf-primary); background: var(--kf-primary-soft); }
  textarea { width: 100%; resize: vertical; min-height: 64px; }
  .body > div { display: grid; gap: 6px; }
  .body label:not(.choice) { display: grid; gap: 4px; font-size: 13px; color: var(--kf-text-2); }
`;
