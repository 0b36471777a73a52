// Money never passes through a JavaScript number (SPEC §2): no parseFloat anywhere, and no Number(), parseInt or
// unary plus on a line that handles an amount, in any source file.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const MONEY_WORDS = /\b(cost|amount|money|grant|discount|payable|rebate|balance|price|threshold|eligible|bonus|rate)\w*/i;
const NUMBER_CONVERSION = /\bparseFloat\s*\(|\bNumber\s*\(|\bparseInt\s*\(|\.toNumber\s*\(|[=(,]\s*\+\s*[a-z_]/i;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('money is never a JavaScript number', () => {
  it('has no parseFloat, and no number conversion on a line about money, in src/', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(__dirname, '..', '..', 'src'))) {
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\bparseFloat\s*\(/.test(line) || (NUMBER_CONVERSION.test(line) && MONEY_WORDS.test(line)))
            offenders.push(`${path.relative(process.cwd(), file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
