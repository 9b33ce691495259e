import { describe, it, expect } from 'vitest';
import * as protocol from '../shared/protocol.ts';
import { IMAGE_MIME_TYPES, isAcceptableImage, MAX_MESSAGE_CHARS, MAX_UPLOAD_BYTES } from './limits.ts';

describe('client limits', () => {
  it('match the wire contract', () => {
    expect(MAX_MESSAGE_CHARS).toBe(protocol.MAX_MESSAGE_CHARS);
    expect(MAX_UPLOAD_BYTES).toBe(protocol.MAX_UPLOAD_BYTES);
    expect([...IMAGE_MIME_TYPES]).toEqual([...protocol.IMAGE_MIME_TYPES]);
  });
});

describe('isAcceptableImage()', () => {
  it('accepts the contract image types up to 10 MB and nothing else', () => {
    expect(isAcceptableImage({ type: 'image/png', size: MAX_UPLOAD_BYTES })).toBe(true);
    expect(isAcceptableImage({ type: 'image/png', size: MAX_UPLOAD_BYTES + 1 })).toBe(false);
    expect(isAcceptableImage({ type: 'image/svg+xml', size: 10 })).toBe(false);
  });
});
