/**
 * The contract's limits for browser bundles. console/shared/protocol.ts also builds zod schemas at
 * module level, which would pull zod (~90 KB) into both clients; limits.test.ts keeps these equal
 * to the contract's values.
 */
export const MAX_MESSAGE_CHARS = 5000;
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const IMAGE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** True when the upload routes will accept this file as an image. */
export function isAcceptableImage(file: { type: string; size: number }): boolean {
  return (IMAGE_MIME_TYPES as readonly string[]).includes(file.type) && file.size <= MAX_UPLOAD_BYTES;
}
