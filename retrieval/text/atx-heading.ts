import { containsCodeUnit, runEndAfter, runStartBefore } from './scan-text.js';

/** A Markdown ATX heading line (`## Title ##`), split into its parts. */
export interface AtxHeadingLine {
  /** Number of `#`s, 1 to 6. */
  readonly level: number;
  /** Offset in the line where the title starts: after the indent, the `#`s and the spaces after them. */
  readonly titleStart: number;
  /** Offset in the line just past the title: before any closing `#`s and trailing spaces and tabs. */
  readonly titleEnd: number;
}

const isSpaceOrTab = (c: number) => c === 0x20 || c === 0x09;
const isHash = (c: number) => c === 0x23;
const isSeparator = (c: number) => c === 0x2028 || c === 0x2029;

/**
 * Parses one line (without its line break) as an ATX heading; null when it is not one. The same split as
 * `/^( {0,3}#{1,6}[ \t]+)(.*?)(?:[ \t]+#+)?[ \t]*$/` (a title of zero or more characters, a closing run of `#`s
 * only when spaces come before it), done with scans: that pattern backtracked quadratically on a run of spaces
 * inside the title (4 s for `# x` + 40,000 spaces + `y`). Like the pattern's `.`, a line with U+2028 or U+2029 after
 * the `#`s is not a heading. The title may still have surrounding Unicode spaces; trim it as needed.
 */
export function parseAtxHeading(line: string): AtxHeadingLine | null {
  const indent = runEndAfter(line, 0, (c) => c === 0x20);
  if (indent > 3) return null;
  const hashesEnd = runEndAfter(line, indent, isHash);
  const level = hashesEnd - indent;
  if (level < 1 || level > 6) return null;
  const titleStart = runEndAfter(line, hashesEnd, isSpaceOrTab);
  if (titleStart === hashesEnd) return null;
  if (containsCodeUnit(line, titleStart, line.length, isSeparator)) return null;
  const trailingSpaces = runStartBefore(line, line.length, isSpaceOrTab);
  let titleEnd = Math.max(titleStart, trailingSpaces);
  const closingHashes = runStartBefore(line, titleEnd, isHash);
  if (closingHashes < titleEnd && closingHashes > titleStart) {
    const spacesBefore = runStartBefore(line, closingHashes, isSpaceOrTab);
    if (spacesBefore < closingHashes) titleEnd = Math.max(titleStart, spacesBefore);
  }
  return { level, titleStart, titleEnd };
}
