/**
 * Puts text into the open conversation's input from anywhere in the workbench (quick replies,
 * 智能辅助). `replace` swaps the draft; otherwise the text is inserted at the cursor.
 */
export interface ComposeRequest {
  text: string;
  replace?: boolean;
  /** Send at once instead of leaving it in the input. */
  send?: boolean;
}

export const COMPOSE_EVENT = 'kf-compose';

export function requestCompose(request: ComposeRequest): void {
  dispatchEvent(new CustomEvent<ComposeRequest>(COMPOSE_EVENT, { detail: request }));
}
