import { css } from 'lit';

/** Layout of the visitor chat; colours come from the theme tokens set on `kf-widget`. */
export const chatStyles = css`
  :host { display: flex; flex-direction: column; height: 100%; background: var(--kf-bg); overflow: hidden; }
  header { display: flex; align-items: center; gap: 8px; padding: 12px 16px; background: var(--kf-primary); color: #fff; }
  header .titles { flex: 1; min-width: 0; }
  header h2 { margin: 0; font-size: 16px; font-weight: 600; }
  header .status { font-size: 12px; opacity: 0.85; }
  header button { border: none; background: transparent; color: #fff; font-size: 18px; line-height: 1; padding: 4px 8px; }
  header button:hover:not(:disabled) { color: #fff; opacity: 0.8; }
  .scroller { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; -webkit-overflow-scrolling: touch; }
  .row { display: flex; flex-direction: column; align-items: flex-start; gap: 2px; }
  .row.mine { align-items: flex-end; }
  .row.center { align-items: center; }
  .who { font-size: 11px; color: var(--kf-text-3); }
  .bubble {
    max-width: 80%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; word-break: break-word;
    background: var(--kf-surface); border: 1px solid var(--kf-border); line-height: 1.5;
  }
  .row.mine .bubble { background: var(--kf-primary); color: #fff; border-color: transparent; }
  .bubble.image { padding: 3px; background: var(--kf-surface); }
  .bubble img { display: block; max-width: 200px; max-height: 200px; border-radius: 8px; cursor: zoom-in; }
  .system { font-size: 12px; color: var(--kf-text-3); background: var(--kf-hover); padding: 2px 10px; border-radius: 10px; }
  .state { font-size: 11px; color: var(--kf-text-3); }
  .state.failed { color: var(--kf-danger); }
  .hint { padding: 4px 12px; font-size: 12px; color: var(--kf-text-3); }
  .hint.offline { color: var(--kf-warning); }
  .actions { display: flex; gap: 8px; padding: 6px 12px 0; }
  .actions button { border-radius: 14px; font-size: 12px; padding: 3px 12px; }
  form { display: flex; align-items: flex-end; gap: 8px; padding: 8px 12px 12px; background: var(--kf-bg); }
  textarea { flex: 1; resize: none; height: 40px; max-height: 120px; border-radius: 20px; padding: 9px 14px; line-height: 20px; }
  .icon { padding: 8px 10px; border-radius: 20px; }
  input[type='file'] { display: none; }
  .center-box { margin: auto; padding: 24px; text-align: center; color: var(--kf-text-2); }
  .viewer { position: absolute; inset: 0; background: rgba(0, 0, 0, 0.8); display: flex; align-items: center; justify-content: center; z-index: 2; }
  .viewer img { max-width: 96%; max-height: 92%; }
`;
