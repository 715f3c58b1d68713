/** Minimal IPv4 CIDR arithmetic for config validation (no network calls, no dependency). */

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

interface Range {
  readonly start: number;
  readonly size: number;
}

function parse(block: string): Range | undefined {
  const m = CIDR.exec(block);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  // A block whose address has host bits set (10.0.0.1/16) is a typo AWS rejects.
  if (address % size !== 0) return undefined;
  return { start: address, size };
}

/** True for a canonical IPv4 CIDR block such as 10.0.0.0/16. */
export function isCidr(block: string): boolean {
  return parse(block) !== undefined;
}

/** True when inner lies entirely inside outer. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parse(outer);
  const i = parse(inner);
  return !!o && !!i && i.start >= o.start && i.start + i.size <= o.start + o.size;
}

/** True when the two blocks share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  return !!x && !!y && x.start < y.start + y.size && y.start < x.start + x.size;
}
