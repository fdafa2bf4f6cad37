/**
 * How one scalar is written so that every YAML 1.1 and 1.2 parser reads it
 * back as exactly the value it was: strings plain only when that is
 * unambiguous, otherwise double-quoted with YAML escapes; numbers in a form
 * both versions resolve to the same number.
 */

/** Strings, numbers, booleans and null as YAML. */
export function scalar(value: unknown): string {
  if (typeof value === "string") return stringScalar(value);
  if (typeof value === "number") return numberScalar(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "[]";
  if (typeof value === "object") return "{}";
  return stringScalar(String(value));
}

// Letters, digits and a few punctuation marks, starting with a letter or "/",
// with ":" only inside — nothing a YAML parser treats as an indicator, number,
// date or comment. Everything outside this set is quoted: the set is kept
// small on purpose so that no type of any YAML version has to be ruled out
// one by one, and so that the test is one regular expression.
const PLAIN = /^[A-Za-z/][A-Za-z0-9_./@-]*(?::[A-Za-z0-9_./@-]+)*$/;
// Words YAML 1.1 reads as booleans or null (Kubernetes' own parser is YAML 1.1-ish).
const RESERVED = /^(?:y|n|yes|no|true|false|on|off|null)$/i;
// YAML 1.1 parsers that take the exponent part of a float on its own (the
// `yaml` package among them) read `e2`, `E3` or `e-5` as numbers: a string
// whose only letter is a leading e/E is quoted.
const EXPONENT_LIKE = /^[eE][^A-Za-z]*$/;

function stringScalar(text: string): string {
  if (PLAIN.test(text) && !RESERVED.test(text) && !startsLikeExponent(text)) return text;
  return doubleQuoted(text);
}

function startsLikeExponent(text: string): boolean {
  const first = text.charCodeAt(0);
  return (first === 0x65 || first === 0x45) && EXPONENT_LIKE.test(text); // e, E
}

// Anything that must not stand as itself between double quotes: the quote
// and backslash; C0 controls (tab and line breaks too — inside quotes a raw
// line break folds into a space); DEL and C1 (U+0085 is a line break in YAML
// 1.1); U+2028/U+2029 (line breaks in YAML 1.1); the BOM U+FEFF; the
// non-characters U+FFFE/U+FFFF; and surrogates, which are fine in pairs but
// must be checked.
const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/;

const NAMED_ESCAPES = new Map<number, string>([
  [0x00, "\\0"],
  [0x07, "\\a"],
  [0x08, "\\b"],
  [0x09, "\\t"],
  [0x0a, "\\n"],
  [0x0b, "\\v"],
  [0x0c, "\\f"],
  [0x0d, "\\r"],
  [0x1b, "\\e"],
  [0x22, '\\"'],
  [0x5c, "\\\\"],
  [0x85, "\\N"],
  [0x2028, "\\L"],
  [0x2029, "\\P"],
]);

/**
 * The string in double quotes, escaping everything outside YAML's printable
 * set (and the YAML 1.1 line breaks and BOM) with escapes both YAML 1.1 and
 * 1.2 know. Not JSON.stringify: it leaves DEL, C1 controls, U+2028/U+2029
 * and non-characters raw, which YAML parsers refuse or fold.
 */
export function doubleQuoted(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let sequence: string;
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a well-formed pair: an astral character, printable as it is
        continue;
      }
      throw new TypeError(
        `cannot write a lone surrogate (U+${hex(code, 4)} at index ${i}) as YAML: UTF-8 cannot represent unpaired surrogates`,
      );
    }
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0x7f && code <= 0x9f)) {
      sequence = NAMED_ESCAPES.get(code) ?? `\\x${hex(code, 2)}`;
    } else if (code === 0x2028 || code === 0x2029) {
      sequence = NAMED_ESCAPES.get(code)!;
    } else if (code === 0xfeff || code === 0xfffe || code === 0xffff) {
      sequence = `\\u${hex(code, 4)}`;
    } else {
      continue;
    }
    out += text.slice(start, i) + sequence;
    start = i + 1;
  }
  return `${out}${text.slice(start)}"`;
}

function hex(code: number, digits: number): string {
  return code.toString(16).toUpperCase().padStart(digits, "0");
}

/**
 * A finite number in a form YAML 1.1 and 1.2 both read back as the same
 * number of the same kind. Integers are written as digits, never in
 * exponent form (a float to YAML 1.2, and to YAML 1.1 not even a number
 * without a dot in the mantissa). Other numbers keep JavaScript's shortest
 * round-trip form, with ".0" added to a bare exponent mantissa (1e-7 →
 * 1.0e-7) because YAML 1.1 floats need the dot; JavaScript's exponents are
 * always signed, as YAML 1.1 requires. -0 is written "-0": an integer zero
 * to every parser, and -0 to JavaScript ones.
 */
export function numberScalar(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as YAML: YAML 1.1 and 1.2 disagree on non-finite numbers`);
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const text = String(value);
  const e = text.indexOf("e");
  if (e === -1) return text;
  if (Number.isInteger(value)) return integerDigits(text, e);
  if (text.lastIndexOf(".", e) !== -1) return text;
  return `${text.slice(0, e)}.0${text.slice(e)}`;
}

/**
 * An integer of 1e21 or more, given as JavaScript's exponent form, as its
 * shortest round-trip digits followed by zeros (as String() writes smaller
 * integers): 1.5e+21 → 1500000000000000000000. Zeros rather than the
 * double's exact digits keep it exact for parsers that round long digit
 * strings after the 20th digit.
 */
function integerDigits(text: string, e: number): string {
  const sign = text.startsWith("-") ? "-" : "";
  const mantissa = text.slice(sign.length, e).replace(".", "");
  const exponent = Number(text.slice(e + 1));
  return `${sign}${mantissa}${"0".repeat(exponent - mantissa.length + 1)}`;
}
