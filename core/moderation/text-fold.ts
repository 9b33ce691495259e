/**
 * Width and case folding that keeps one UTF-16 code unit per code unit, so a match found in the
 * folded text points at the same offsets in the original. Full-width ASCII (U+FF01–U+FF5E) becomes
 * ASCII, the ideographic space becomes a space, and letters are lower-cased where the lower-case
 * form is a single code unit. Surrogates are left alone: astral characters (emoji) match only
 * themselves.
 */
let foldTable: Uint16Array | undefined;

function buildFoldTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c += 1) {
    table[c] = foldUnitSlow(c);
  }
  return table;
}

function foldUnitSlow(c: number): number {
  if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
  else if (c === 0x3000) c = 0x20;
  if (c >= 0xd800 && c <= 0xdfff) return c;
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  const lower = String.fromCharCode(c).toLowerCase();
  // A few letters lower-case to two code units (İ → i̇); keeping them as they are preserves offsets.
  return lower.length === 1 ? lower.charCodeAt(0) : c;
}

/** The fold table, indexed by UTF-16 code unit; built on first use and shared. */
export function getFoldTable(): Uint16Array {
  foldTable ??= buildFoldTable();
  return foldTable;
}

/** Folds a string code unit by code unit; the result has exactly the input's length. */
export function foldText(text: string): string {
  const table = getFoldTable();
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    out += String.fromCharCode(table[text.charCodeAt(i)]);
  }
  return out;
}
