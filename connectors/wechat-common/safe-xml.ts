import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../core/errors.ts';
import { withoutNul } from '../../core/without-nul.ts';

/**
 * Parsing of WeChat / WeCom callback XML. Refuses DOCTYPE and ENTITY declarations (XXE, entity
 * expansion), bodies over a size bound and malformed documents, each as `AppError('bad_request')`.
 * Values are never coerced: every leaf is a string (CDATA kept verbatim), repeated tags become arrays.
 */

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

/** Callback bodies are a few KB; WeChat's largest (compatible mode) stays far below this. */
export const maxXmlBytes = 64 * 1024;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
});

const cdataSection = /<!\[CDATA\[[\s\S]*?\]\]>/g;
const declaration = /<!\s*(DOCTYPE|ENTITY)/i;

/** Parses a whole document; the root element's name is kept (`{ xml: {...} }`). */
export function parseSafeXml(input: string | Uint8Array, options: { maxBytes?: number } = {}): XmlObject {
  const maxBytes = options.maxBytes ?? maxXmlBytes;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    throw new AppError('bad_request', { message: `XML body of ${size} bytes exceeds ${maxBytes}` });
  }
  // U+0000 is not XML and PostgreSQL cannot store it: dropped before anything reads the body.
  const xml = withoutNul(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
  // A visitor may legitimately type "<!DOCTYPE" inside a CDATA text; only markup outside CDATA counts.
  if (declaration.test(xml.replace(cdataSection, ''))) {
    throw new AppError('bad_request', { message: 'XML with DOCTYPE or ENTITY declarations is refused' });
  }
  if (XMLValidator.validate(xml) !== true) {
    throw new AppError('bad_request', { message: 'malformed XML' });
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (cause) {
    throw new AppError('bad_request', { message: 'malformed XML', cause });
  }
  if (!isXmlObject(parsed)) throw new AppError('bad_request', { message: 'XML has no root element' });
  return parsed;
}

/**
 * Parses a WeChat callback body and returns the children of its `<xml>` root;
 * `bad_request` when the root is missing or not an element with children.
 */
export function parseCallbackXml(input: string | Uint8Array, options: { maxBytes?: number } = {}): XmlObject {
  const root = parseSafeXml(input, options).xml;
  if (!isXmlObject(root)) throw new AppError('bad_request', { message: 'callback XML lacks an <xml> root element' });
  return root;
}

export function isXmlObject(value: unknown): value is XmlObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string value of a child element, or undefined when absent, repeated or not a leaf. */
export function readXmlString(node: XmlObject | undefined, key: string): string | undefined {
  if (!node || !Object.hasOwn(node, key)) return undefined;
  const value = node[key];
  return typeof value === 'string' ? value : undefined;
}

/** A child element that has children itself (e.g. `<Image><MediaId/></Image>`), or undefined. */
export function readXmlObject(node: XmlObject | undefined, key: string): XmlObject | undefined {
  if (!node || !Object.hasOwn(node, key)) return undefined;
  const value = node[key];
  return isXmlObject(value) ? value : undefined;
}

/** Escapes text for a CDATA section by splitting any `]]>` across two sections. */
export function toCdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

type XmlLeaf = string | number | bigint;

/**
 * Builds a flat `<xml>` document from string and number fields (numbers bare, strings as CDATA) —
 * the shape of every WeChat passive reply and callback. 64-bit ids such as MsgId go in as bigint.
 */
export function buildFlatXml(fields: Record<string, XmlLeaf | Record<string, XmlLeaf>>): string {
  const render = (value: XmlLeaf): string => (typeof value === 'string' ? toCdata(value) : String(value));
  const parts = Object.entries(fields).map(([key, value]) => {
    const inner =
      typeof value === 'object'
        ? Object.entries(value)
            .map(([k, v]) => `<${k}>${render(v)}</${k}>`)
            .join('')
        : render(value);
    return `<${key}>${inner}</${key}>`;
  });
  return `<xml>${parts.join('')}</xml>`;
}
