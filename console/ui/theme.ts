import { css } from 'lit';

/**
 * Theme tokens as CSS custom properties, set on a client's root host. Custom properties inherit into
 * shadow roots, so every component reads `var(--kf-…)` and a deployment re-themes by overriding them.
 */
export const themeTokens = css`
  :host {
    --kf-font: -apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', sans-serif;
    --kf-font-size: 14px;
    --kf-primary: #1677ff;
    --kf-primary-hover: #4096ff;
    --kf-primary-soft: #e6f0ff;
    --kf-text: #1f2329;
    --kf-text-2: #646a73;
    --kf-text-3: #8f959e;
    --kf-bg: #f5f6f7;
    --kf-surface: #ffffff;
    --kf-border: #e4e6eb;
    --kf-hover: #f2f3f5;
    --kf-danger: #f54a45;
    --kf-success: #34c724;
    --kf-warning: #ff8800;
    --kf-bubble-visitor: #ffffff;
    --kf-bubble-agent: #d6e7ff;
    --kf-bubble-bot: #f0f5ef;
    --kf-radius: 8px;
    --kf-shadow: 0 4px 16px rgba(31, 35, 41, 0.12);
  }
`;

/** Resets shared by components: box sizing and plain buttons/inputs that follow the theme. */
export const baseStyles = css`
  :host {
    font-family: var(--kf-font);
    font-size: var(--kf-font-size);
    color: var(--kf-text);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button {
    font: inherit;
    cursor: pointer;
    border: 1px solid var(--kf-border);
    background: var(--kf-surface);
    color: var(--kf-text);
    border-radius: 6px;
    padding: 5px 12px;
  }
  button:hover:not(:disabled) {
    border-color: var(--kf-primary);
    color: var(--kf-primary);
  }
  button:disabled {
    cursor: default;
    opacity: 0.5;
  }
  button.primary {
    background: var(--kf-primary);
    border-color: var(--kf-primary);
    color: #fff;
  }
  button.primary:hover:not(:disabled) {
    background: var(--kf-primary-hover);
    color: #fff;
  }
  button.link {
    border: none;
    background: none;
    padding: 0;
    color: var(--kf-primary);
  }
  input,
  textarea,
  select {
    font: inherit;
    color: inherit;
    border: 1px solid var(--kf-border);
    border-radius: 6px;
    padding: 6px 10px;
    background: var(--kf-surface);
  }
  input:focus,
  textarea:focus,
  select:focus {
    outline: none;
    border-color: var(--kf-primary);
  }
`;
